import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { createContainer } from './container.js';
import { setupTokenOf } from './services/auth/registration.js';
import { createGracefulShutdown } from './shutdown.js';

/** After the grace period, how long the worker, the jobs and the connections get to close. */
const RESOURCES_CLOSE_MS = 15_000;

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const container = await createContainer(config);
  const { logger } = container;
  let stopping = false;
  const app = await createApp(container, { stopping: () => stopping });

  if (!(await container.auth.registration.superAdminExists()) && !config.setupToken) {
    // The bootstrap secret must reach the operator; it is derived from JWT_SECRET, the same on every instance.
    process.stdout.write(`\nNo Super Admin yet. Setup token: ${setupTokenOf(container)}\nRegister with POST /api/auth/register.\n\n`);
  }

  // Before listen, so that it counts every request from the first.
  const graceful = createGracefulShutdown({
    app,
    markStopping: () => {
      stopping = true;
    },
    closeResources: () => container.close(),
    endStreams: () => container.events.closeAll(),
    logger,
    delayMs: config.shutdownDelayMs,
    graceMs: config.shutdownGraceMs,
  });
  container.worker.start();
  container.cleanup.start();
  container.keyRotation.start();
  await app.ready();
  collectStartupGarbage();
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    { event: 'started', port: config.port, database: container.store.dialect, env: config.env },
    'Xtown Authenticator is listening',
  );

  const shutdown = async (signal: string) => {
    // Should closing the resources hang (a database that stopped answering), the process still ends.
    const force = setTimeout(
      () => {
        logger.error({ event: 'shutdown_timeout' }, 'shutdown did not finish; exiting');
        process.exit(1);
      },
      config.shutdownDelayMs + config.shutdownGraceMs + RESOURCES_CLOSE_MS,
    );
    force.unref();
    const { exitCode } = await graceful.shutdown(signal);
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * Starting allocates far more than it keeps (module evaluation, schemas, routes, migrations), and V8 keeps
 * the young generation it grew to while the process idles: one scavenge before the first request hands it
 * back (idle RSS about 8 MB lower, for about 6 ms of start; a full collection gains 1 MB more for 21 ms).
 * gc is exposed to a throwaway context only, never as a global.
 */
function collectStartupGarbage() {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;
    setFlagsFromString('--no-expose-gc');
    gc({ type: 'minor' });
  } catch {
    // A runtime that refuses the flag costs a few MB of idle memory, never the start.
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
