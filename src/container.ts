import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import { createPasswordHasher } from './crypto/passwords.js';
import { createSecrets } from './crypto/secrets.js';
import { createTokenService } from './crypto/jwt.js';
import { loadKeyRing } from './crypto/signing-keys.js';
import { createDb, dialectOf } from './db/client.js';
import { migrateToLatest } from './db/migrate.js';
import { createDataStore } from './db/repositories/index.js';
import { createConsoleMailer, createSmtpMailer } from './email/mailer.js';
import { createOutboxWorker, type OutboxWorkerOptions } from './services/outbox/worker.js';
import { createEmailQueue } from './services/outbox/queue.js';
import { createCleanupJob } from './jobs/cleanup.js';
import { createKeyRotationJob } from './jobs/key-rotation.js';
import type { Mailer } from './email/types.js';
import { createLogger } from './logger.js';
import { createMetrics } from './observability/metrics.js';
import { createAuditLog } from './services/audit.js';
import { createAuthStateCache } from './services/auth-state.js';
import { systemClock, type Clock } from './domain/clock.js';
import { createAdminServices } from './services/admin/index.js';
import { createAuthServices } from './services/index.js';
import { createOtpService } from './services/otps.js';
import { createMemoryRateLimitStore, createRateLimiter } from './services/rate-limiter.js';
import { createFailoverRateLimitStore } from './services/rate-limit/failover-store.js';
import { createRedisRateLimitStore } from './redis/rate-limit-store.js';
import { connectRedis } from './redis/link.js';
import { startRevocationSync } from './services/revocation/index.js';
import { createEventHub, type EventHubOptions } from './services/events/hub.js';
import { createSessionService } from './services/sessions.js';

export interface ContainerOverrides {
  clock?: Clock;
  mailer?: Mailer;
  logger?: Logger;
  outbox?: OutboxWorkerOptions;
  /** Prefix of every Redis key and channel (default `xtown:`); tests give each run its own. */
  redisKeyPrefix?: string;
  /** The events hub's poll and heartbeat intervals (tests shorten the heartbeat). */
  events?: EventHubOptions;
}

/**
 * Builds every dependency from the configuration, in order: database (migrated), secrets, signing
 * keys, then the services. Tests pass a fixed clock, a capturing mailer or a capturing logger.
 */
/**
 * The database, migrated. On PostgreSQL and MySQL the migrations run on a connection of their own without
 * the query deadline (QUERY_TIMEOUT_MS), which every other query has; SQLite has no network to freeze.
 */
export async function migratedDatabase(url: string) {
  const migrating = dialectOf(url) === 'sqlite' ? undefined : await createDb(url, { poolSize: 1, queryTimeoutMs: 0 });
  const database = await createDb(url);
  try {
    await migrateToLatest(migrating ?? database);
  } catch (error) {
    await database.destroy();
    throw error;
  } finally {
    await migrating?.destroy();
  }
  return database;
}

export async function createContainer(config: Config, overrides: ContainerOverrides = {}) {
  const logger = overrides.logger ?? createLogger(config);
  const clock = overrides.clock ?? systemClock;
  const database = await migratedDatabase(config.databaseUrl);
  const store = createDataStore(database);
  const secrets = createSecrets(config.jwtSecret, config.jwtSecretPrevious);
  const keys = await loadKeyRing({
    store: store.repos.signingKeys,
    secrets,
    clock,
    algorithm: config.signingAlgorithm,
    jwksMaxAgeSec: config.jwksMaxAgeSec,
    tokenTtlSec: config.accessTokenTtlSec,
    rotationDays: config.keyRotationDays,
    onRotated: async (rotation) => {
      logger.warn({ event: 'signing_key_rotated', ...rotation }, 'signing key rotated');
      // Offline verifiers refetch the JWKS (a compromised key must leave their caches now).
      await store.repos.projectEvents.keysRotated(clock.now());
    },
  });
  const tokens = createTokenService({ keys, clock, config });
  const hasher = createPasswordHasher({ kind: config.passwordHash, bcryptRounds: config.bcryptRounds });
  const metrics = createMetrics({
    outboxPending: () => store.repos.outbox.pendingCount(),
    hashPool: () => hasher.stats(),
    // Made below; a scrape comes only after the container is built.
    eventStreams: () => events.openStreams(),
    authStateEntries: () => authState.size(),
  });
  // Redis is optional at run time too: unreachable at start or later, limits fall back to memory.
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, { logger, prefix: overrides.redisKeyPrefix }) : undefined;
  const limiterStore = redis
    ? createFailoverRateLimitStore({ primary: createRedisRateLimitStore(redis), fallback: createMemoryRateLimitStore(), link: redis })
    : createMemoryRateLimitStore();
  const limiter = createRateLimiter({ store: limiterStore, clock });
  const mailer = overrides.mailer ?? (config.smtp ? createSmtpMailer(config.smtp) : createConsoleMailer());
  const emails = createEmailQueue({ secrets, clock, publicUrl: config.publicUrl });
  const worker = createOutboxWorker({ store, mailer, secrets, clock, logger, options: overrides.outbox, onOutcome: metrics.email });
  emails.setWaker(() => worker.nudge());
  const cleanup = createCleanupJob({ store, clock, logger, config });
  const keyRotation = createKeyRotationJob({ keys, logger, jwksMaxAgeSec: config.jwksMaxAgeSec });
  const authState = createAuthStateCache({ store, clock });
  const revocation = await startRevocationSync({ cache: authState, store, clock, logger, redis });
  const audit = createAuditLog({ store, clock, logger });
  const events = createEventHub({ store, clock, logger, link: redis }, overrides.events);
  const otps = createOtpService({ store, secrets, clock, config, emails, audit, logger });
  const sessions = createSessionService({ store, clock, config, secrets, tokens, authState, audit, logger });
  const flowDeps = { store, clock, config, secrets, hasher, tokens, otps, emails, limiter, sessions, authState, audit, logger, metrics };
  const auth = createAuthServices(flowDeps);
  const admin = createAdminServices(flowDeps);

  return {
    config,
    logger,
    clock,
    store,
    secrets,
    keys,
    tokens,
    hasher,
    metrics,
    limiter,
    mailer,
    emails,
    worker,
    /** Started by main (never by tests unless they ask); one instance runs it per interval. */
    cleanup,
    /** Started by main: reloads the signing keys other instances stored, and rotates them on schedule. */
    keyRotation,
    authState,
    /** Carries invalidations of authState to the other instances (Redis pub/sub or revocation_events). */
    revocation,
    /** Set when REDIS_URL is: the shared connection and whether Redis is usable now. */
    redis,
    auth,
    admin,
    audit,
    /** Follows project_events and serves the projects' event streams (GET /api/projects/:id/events). */
    events,
    /** Stops background work and closes connections; the HTTP server is closed by its owner first. */
    async close() {
      keyRotation.stop();
      hasher.close();
      await cleanup.stop();
      await worker.stop();
      await revocation.stop();
      await events.stop();
      await limiterStore.close();
      await redis?.close();
      await mailer.close();
      await store.destroy();
    },
  };
}

export type Container = Awaited<ReturnType<typeof createContainer>>;
