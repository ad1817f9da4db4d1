import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface GracefulShutdownDeps {
  /** The listening app; its HTTP server is drained here, then the app is closed. */
  app: FastifyInstance;
  /** Turns readiness to 503 (the first thing that happens). */
  markStopping(): void;
  /** Stops background work and closes the database (and Redis): the container's close(). */
  closeResources(): Promise<void>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  graceMs: number;
}

export interface ShutdownOutcome {
  /** Requests still running when the grace period ended, whose connections were cut. */
  cut: number;
  exitCode: 0 | 1;
}

/**
 * Graceful shutdown over the app's own HTTP server. On the first call: readiness answers 503, the
 * listener closes (new connections are refused), requests in flight run to their end and are
 * answered with `Connection: close`, idle keep-alive sockets are closed so they cannot hold the
 * process, and whatever still runs at the end of the grace period is cut. Then the app's close hooks
 * run and the resources close. Fastify's own close() is not used to drain: it answers every request
 * that arrives on a live connection with a bare 503, before readiness could say why.
 */
export function createGracefulShutdown({ app, markStopping, closeResources, logger, graceMs }: GracefulShutdownDeps) {
  const server = app.server;
  const active = new Set<ServerResponse>();
  let draining = false;
  let outcome: Promise<ShutdownOutcome> | undefined;

  /** Once nothing runs, every remaining socket is idle or has not finished sending a request: none of them is owed an answer. */
  function settle() {
    if (draining && active.size === 0) server.closeAllConnections();
  }

  // Ahead of Fastify's listener, so the header is set before any handler could send.
  server.prependListener('request', (_request, response: ServerResponse) => {
    active.add(response);
    if (draining) response.setHeader('Connection', 'close');
    response.once('close', () => {
      active.delete(response);
      settle();
    });
  });

  async function drain(signal: string): Promise<ShutdownOutcome> {
    markStopping();
    draining = true;
    logger.info({ event: 'shutdown', signal, inFlight: active.size, graceMs }, 'shutting down: finishing in-flight requests');
    for (const response of active) if (!response.headersSent) response.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    settle();
    // A response sent before the header could be set leaves a keep-alive socket behind once it ends.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    let cut = 0;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([closed, graceOver]);
    clearTimeout(timer);
    if (active.size > 0) {
      cut = active.size;
      logger.warn({ event: 'shutdown_grace_exceeded', cut }, 'grace period over; cutting the requests still running');
      server.closeAllConnections();
      await closed;
    }
    clearInterval(sweep);

    try {
      await app.close();
      await closeResources();
    } catch (error) {
      logger.error({ event: 'shutdown_failed', err: error }, 'shutdown failed');
      return { cut, exitCode: 1 };
    }
    logger.info({ event: 'stopped', cut }, 'stopped');
    return { cut, exitCode: cut === 0 ? 0 : 1 };
  }

  return {
    /** Idempotent: a second signal during the drain waits for the same outcome. */
    shutdown(signal: string): Promise<ShutdownOutcome> {
      outcome ??= drain(signal);
      return outcome;
    },
    inFlight: () => active.size,
  };
}
