import type { JWTPayload } from 'jose';
import { VerifyError } from './errors.js';
import type { RevocationSubject } from './revocations.js';
import type { XtownUser } from './types.js';

export interface ProjectRef {
  customProjectId: string;
  id?: number;
}

/** A verified token as the caches keep it: the frozen claims and what the hot path reads of them. */
export interface Verified extends RevocationSubject {
  user: XtownUser;
  kid: string;
  /** exp and iat in ms. */
  expMs: number;
  iatMs: number;
}

const invalid = (why: string) => new VerifyError('TOKEN_INVALID', `Invalid token: ${why}`);
const isGen = (value: unknown) => value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);

/**
 * The project-token checks that jwtVerify does not make (it has checked the signature, iss, aud, exp and nbf):
 * the type, the project, and the shape of the claims the revocation check reads. A token without `gen`/`pgen`
 * counts as generation 0, so that any cutoff announced for its scope revokes it.
 */
export function projectClaims(payload: JWTPayload, kid: string, project: ProjectRef): Verified {
  const c = payload as Partial<XtownUser> & JWTPayload;
  if (c.tokenType !== 'PROJECT_ACCESS') throw invalid('not a project token');
  const p = c.project;
  if (typeof p !== 'object' || p === null || p.customProjectId !== project.customProjectId) throw invalid('another project');
  if (project.id !== undefined && p.id !== project.id) throw invalid('another project');
  if (typeof c.sub !== 'string' || !/^[1-9][0-9]{0,15}$/.test(c.sub) || c.id !== Number(c.sub)) throw invalid('bad subject');
  if (typeof c.sid !== 'string' || c.sid.length === 0) throw invalid('no session');
  if (!Number.isSafeInteger(c.iat) || !Number.isSafeInteger(c.exp)) throw invalid('bad times');
  if (!isGen(c.gen) || !isGen(c.pgen)) throw invalid('bad generation');
  const user = deepFreeze(c as XtownUser);
  return {
    user,
    kid,
    userId: user.id,
    sid: user.sid,
    gen: user.gen ?? 0,
    pgen: user.pgen ?? 0,
    expMs: user.exp * 1000,
    iatMs: user.iat * 1000,
  };
}

/** Callers share one claims object per token (and the cache keeps it): nobody may change it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
