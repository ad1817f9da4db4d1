import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataStore } from '../../db/repositories/index.js';
import type { AuthStateCache } from '../auth-state.js';
import type { Clock } from '../../domain/clock.js';
import type { SharedStateLink } from '../../domain/ports.js';
import { startDatabaseRevocation, type DatabaseRevocationOptions } from './database-poller.js';
import { startRedisRevocation } from './redis-channel.js';

export interface RevocationSync {
  mode: 'redis' | 'database';
  instanceId: string;
  stop(): Promise<void>;
}

/**
 * Carries every invalidation of the auth-state cache to the other instances: over Redis pub/sub when
 * REDIS_URL is set, otherwise through the revocation_events table. The table runs on SQLite too:
 * it costs one small query every half second, and it keeps several processes on one SQLite file
 * (PM2 cluster mode on a single machine) correct.
 */
export async function startRevocationSync(
  deps: { cache: AuthStateCache; store: DataStore; clock: Clock; logger: Logger; redis?: SharedStateLink },
  options: DatabaseRevocationOptions = {},
): Promise<RevocationSync> {
  const instanceId = randomUUID();
  const { cache, store, clock, logger, redis } = deps;
  const transport = redis
    ? await startRedisRevocation({ cache, link: redis, logger, instanceId })
    : await startDatabaseRevocation({ cache, store, clock, logger }, options);
  return { mode: redis ? 'redis' : 'database', instanceId, stop: () => transport.stop() };
}
