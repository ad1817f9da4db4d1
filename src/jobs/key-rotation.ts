import type { Logger } from 'pino';
import type { KeyRing } from '../domain/keys.js';

const HOUR_MS = 3_600_000;

export interface KeyRotationJob {
  start(): void;
  stop(): void;
  /** One pass: learn the keys other instances (or `npm run keys:rotate`) stored, then rotate if due. */
  runOnce(): Promise<void>;
}

/**
 * Keeps every instance's key ring current and rotates on schedule (JWT_KEY_ROTATION_DAYS). Reloading at least
 * twice per JWKS lifetime means a key published elsewhere is known here well before it signs; the rotation
 * itself is decided under the key table's lock, so instances running this together rotate once.
 */
export function createKeyRotationJob(deps: { keys: KeyRing; logger: Pick<Logger, 'error'>; jwksMaxAgeSec: number }): KeyRotationJob {
  const { keys, logger } = deps;
  const reloadMs = Math.max(1000, Math.min(60_000, (deps.jwksMaxAgeSec * 1000) / 2));
  let timer: NodeJS.Timeout | undefined;
  let lastRotationCheck = 0;

  const runOnce = async () => {
    try {
      await keys.refresh();
      if (Date.now() - lastRotationCheck >= HOUR_MS) {
        lastRotationCheck = Date.now();
        await keys.rotateIfDue();
      }
    } catch (error) {
      // A database outage must not stop the service signing with the keys it has.
      logger.error({ event: 'key_rotation_failed', err: error }, 'could not reload or rotate the signing keys');
    }
  };

  return {
    start() {
      if (timer) return;
      lastRotationCheck = Date.now(); // the key ring rotated, if due, when it loaded
      timer = setInterval(() => void runOnce(), reloadMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    runOnce,
  };
}
