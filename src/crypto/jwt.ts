import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.js';
import { AppError } from '../errors/index.js';
import type { Clock } from '../domain/clock.js';
import type { User, UserWithProjects } from '../domain/models.js';
import { encodeHeader, signCompact, verifyCompact } from './jws.js';
import { Lru } from './lru.js';
import type { KeyRing } from '../domain/keys.js';
import type {
  AccessTokenClaims,
  ExpectedTokenType,
  ProjectTokenClaims,
  ProjectTokenProject,
  SignedToken,
  TokenService,
  TokenType,
  VerifiedToken,
} from '../domain/tokens.js';
import { accessProjects, userClaims } from './token-claims.js';

export interface TokenServiceDeps {
  keys: KeyRing;
  clock: Clock;
  config: Pick<Config, 'issuer' | 'audience' | 'accessTokenTtlSec'>;
  /**
   * Tokens verified recently, answered without a second signature check (type and expiry are still
   * checked on every call; revocation is the caller's). 0 disables. Default 10,000: the tokens in use
   * across an organization's projects at once (a few KB each with validate-token's answer).
   */
  verifiedCacheSize?: number;
}

interface Verified {
  kid: string;
  token: VerifiedToken;
}

/** A token signed in the future by more than this is refused (clocks of several instances drift). */
const MAX_CLOCK_SKEW_SEC = 60;
const SUB = /^[1-9][0-9]{0,15}$/;
const SID = /^[A-Za-z0-9_-]{1,128}$/;
const JTI = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_KID = Symbol('unknown-kid');

const invalid = () => new AppError('TOKEN_INVALID');

export function createTokenService({ keys, clock, config, verifiedCacheSize = 10_000 }: TokenServiceDeps): TokenService {
  const headers = new Map<string, string>();
  const cache = new Lru<string, Verified>(verifiedCacheSize);
  const lookup = (kid: string) => keys.publicKey(kid);

  const sign = (claims: object): string => {
    const { kid, algorithm, privateKey } = keys.signingKey;
    let header = headers.get(kid);
    if (!header) headers.set(kid, (header = encodeHeader(kid, algorithm)));
    return signCompact(header, claims, privateKey, algorithm);
  };

  const registered = (userId: number, aud: string, sid: string) => {
    const iat = Math.floor(clock.now().getTime() / 1000);
    const exp = iat + config.accessTokenTtlSec;
    return { sub: String(userId), iss: config.issuer, aud, jti: randomUUID(), sid, iat, exp };
  };

  /** Structure, signature and claims, except the type and expiry that depend on the call and the hour. */
  const check = (token: unknown): Verified | typeof UNKNOWN_KID => {
    const result = verifyCompact(token, lookup);
    if (!result.ok) {
      if (result.reason === 'unknown-kid') return UNKNOWN_KID;
      throw invalid();
    }
    const c = result.payload;
    const { tokenType } = c;
    if (tokenType !== 'ACCESS' && tokenType !== 'PROJECT_ACCESS') throw invalid();
    if (c.iss !== config.issuer || typeof c.aud !== 'string') throw invalid();
    if (tokenType === 'ACCESS') {
      if (c.aud !== config.audience || !Array.isArray(c.projects)) throw invalid();
    } else {
      const project = c.project as Partial<ProjectTokenProject> | null | undefined;
      if (
        typeof project !== 'object' ||
        project === null ||
        typeof project.customProjectId !== 'string' ||
        c.aud !== project.customProjectId
      )
        throw invalid();
    }
    const { sub, sid, jti, iat, exp } = c;
    if (typeof sub !== 'string' || !SUB.test(sub) || c.id !== Number(sub)) throw invalid();
    if (typeof sid !== 'string' || !SID.test(sid) || typeof jti !== 'string' || !JTI.test(jti)) throw invalid();
    if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp) || (iat as number) < 0 || (exp as number) <= (iat as number))
      throw invalid();
    if ((iat as number) * 1000 > clock.now().getTime() + MAX_CLOCK_SKEW_SEC * 1000) throw invalid();
    const base = { userId: Number(sub), sid, jti, issuedAt: new Date((iat as number) * 1000), expiresAt: new Date((exp as number) * 1000) };
    const verified: VerifiedToken =
      tokenType === 'ACCESS'
        ? { ...base, tokenType, claims: c as unknown as AccessTokenClaims }
        : { ...base, tokenType, claims: c as unknown as ProjectTokenClaims };
    return { kid: result.kid, token: deepFreeze(verified) };
  };

  const accept = (verified: VerifiedToken, expected: ExpectedTokenType): VerifiedToken => {
    if (expected !== 'ANY' && verified.tokenType !== expected) throw invalid();
    if (verified.expiresAt.getTime() <= clock.now().getTime()) throw new AppError('TOKEN_EXPIRED');
    return verified;
  };

  /** Throws AppError only; UNKNOWN_KID lets the caller reload the keys and retry. */
  const attempt = (token: unknown, expected: ExpectedTokenType): VerifiedToken | typeof UNKNOWN_KID => {
    // A hit is a byte-identical token verified before; its key must still be in the ring.
    const hit = typeof token === 'string' ? cache.get(token) : undefined;
    if (hit && keys.publicKey(hit.kid)) return accept(hit.token, expected);
    const verified = check(token);
    if (verified === UNKNOWN_KID) return UNKNOWN_KID;
    const accepted = accept(verified.token, expected);
    cache.set(token as string, verified);
    return accepted;
  };

  return {
    signAccessToken(user: UserWithProjects, sid: string, gen: number): SignedToken {
      const reg = registered(user.id, config.audience, sid);
      const claims: AccessTokenClaims = { ...userClaims(user), projects: accessProjects(user), ...reg, tokenType: 'ACCESS', gen };
      return { token: sign(claims), expiresAt: new Date(reg.exp * 1000), jti: reg.jti };
    },

    signProjectToken(user: User, project: ProjectTokenProject, sid: string, pgen: number, gen: number): SignedToken {
      const reg = registered(user.id, project.customProjectId, sid);
      const claims: ProjectTokenClaims = {
        ...userClaims(user),
        project: { id: project.id, customProjectId: project.customProjectId, name: project.name },
        tokenType: 'PROJECT_ACCESS',
        pgen,
        gen,
        ...reg,
      };
      return { token: sign(claims), expiresAt: new Date(reg.exp * 1000), jti: reg.jti };
    },

    /**
     * Verifies with the keys in memory; a token naming an unknown kid is refused without asking the
     * database. Throws AppError TOKEN_INVALID or TOKEN_EXPIRED, nothing else.
     */
    verifyTokenSync(token: string, expected: ExpectedTokenType): VerifiedToken {
      const result = attempt(token, expected);
      if (result === UNKNOWN_KID) throw invalid();
      return result;
    },

    /**
     * Like verifyTokenSync, but a token naming an unknown kid (a key another instance just created)
     * triggers one rate-limited reload of the key ring and a retry.
     */
    async verifyToken(token: string, expected: ExpectedTokenType): Promise<VerifiedToken> {
      const first = attempt(token, expected);
      if (first !== UNKNOWN_KID) return first;
      try {
        await keys.refresh();
      } catch {
        // The database being unreachable must not turn a bad token into a 500.
        throw invalid();
      }
      const second = attempt(token, expected);
      if (second === UNKNOWN_KID) throw invalid();
      return second;
    },
  };
}

/** Verified results are shared between callers (and the cache): nobody may change them. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Date)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
