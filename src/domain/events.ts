/** API.md "Project events": what a project's backend learns about tokens it may be verifying offline. */
export type ProjectEventType = 'user.revoked' | 'session.revoked' | 'access.revoked' | 'project.revoked' | 'keys.rotated';

/** Never free text (a suspension's reason stays in the audit log). */
export type ProjectEventReason =
  | 'SUSPENDED'
  | 'DELETED'
  | 'PASSWORD_CHANGED'
  | 'PASSWORD_RESET'
  | 'LOGOUT'
  | 'LOGOUT_ALL'
  | 'REUSE_DETECTED'
  | 'UNASSIGNED'
  | 'DEACTIVATED'
  | 'PROJECT_DELETED'
  | 'KEY_ROTATED';

/** An event to store; projectId null: every project's (the Super Admin's own, keys.rotated). */
export interface ProjectEventInput {
  projectId: number | null;
  type: ProjectEventType;
  userId: number | null;
  sessionId: string | null;
  /** The new generation: tokens of the scope below it are revoked (API.md "Tokens"). */
  gen: number | null;
  reason: ProjectEventReason;
}

export interface ProjectEvent extends ProjectEventInput {
  /** Increasing in commit order. */
  id: number;
  at: Date;
}
