import type { ProjectEvent } from './types.js';

/** What the revocation check needs of a verified token. */
export interface RevocationSubject {
  userId: number;
  sid: string;
  gen: number;
  pgen: number;
}

/**
 * The cutoffs learnt from the events stream (API.md "Project events"), applied by generation and session id,
 * never by comparing clocks: user.revoked → that user's tokens with `gen` below; session.revoked → that `sid`;
 * access.revoked → that user's project tokens with `pgen` below; project.revoked → every `pgen` below.
 * Cutoffs only rise, so replayed or repeated events change nothing.
 */
export class Revocations {
  private readonly userGen = new Map<number, number>();
  private readonly accessGen = new Map<number, number>();
  /** Revoked session id → when its event arrived (ms), to forget it once no token of it can be alive. */
  private readonly sessions = new Map<string, number>();
  private projectGen = 0;

  constructor(private readonly projectId: () => number | undefined) {}

  /** Applies one event; answers whether it changed anything. */
  apply(event: ProjectEvent, receivedAt: number): boolean {
    const { userId, gen } = event;
    // The stream is the project's own; an event that names another project is not ours to apply.
    const own = this.projectId();
    if (event.projectId != null && own !== undefined && event.projectId !== own) return false;
    switch (event.type) {
      case 'user.revoked':
        return typeof userId === 'number' && isGen(gen) && raise(this.userGen, userId, gen);
      case 'access.revoked':
        return typeof userId === 'number' && isGen(gen) && raise(this.accessGen, userId, gen);
      case 'project.revoked':
        if (!isGen(gen) || gen <= this.projectGen) return false;
        this.projectGen = gen;
        return true;
      case 'session.revoked':
        if (typeof event.sessionId !== 'string' || this.sessions.has(event.sessionId)) return false;
        this.sessions.set(event.sessionId, receivedAt);
        return true;
      default:
        return false;
    }
  }

  /** Whether any cutoff revokes the token: a few map lookups, on every verify. */
  revokes(t: RevocationSubject): boolean {
    const userCutoff = this.userGen.get(t.userId);
    if (userCutoff !== undefined && t.gen < userCutoff) return true;
    if (t.pgen < this.projectGen) return true;
    const accessCutoff = this.accessGen.get(t.userId);
    if (accessCutoff !== undefined && t.pgen < accessCutoff) return true;
    return this.sessions.size > 0 && this.sessions.has(t.sid);
  }

  /** Forgets revoked sessions older than `horizonMs` (every token of theirs has expired by then). */
  prune(now: number, horizonMs: number): void {
    for (const [sid, at] of this.sessions) if (now - at > horizonMs) this.sessions.delete(sid);
  }
}

const isGen = (gen: unknown): gen is number => typeof gen === 'number' && Number.isSafeInteger(gen) && gen >= 0;

function raise(map: Map<number, number>, key: number, gen: number): boolean {
  const current = map.get(key);
  if (current !== undefined && current >= gen) return false;
  map.set(key, gen);
  return true;
}
