import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { createContainer } from './container.js';
import { setupTokenOf } from './services/auth/registration.js';

const SHUTDOWN_GRACE_MS = 10_000;

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

  container.worker.start();
  await app.listen({ port: config.port, host: config.host });
  logger.info({ event: 'started', port: config.port, database: container.store.dialect, env: config.env }, 'Xtown Authenticator is listening');

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error({ event: 'shutdown_timeout' }, 'grace period over; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    try {
      await app.close();
      await container.close();
      logger.info({ event: 'stopped' }, 'stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
