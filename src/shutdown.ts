import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface GracefulShutdownDeps {
  /** The listening app; its HTTP server is drained here, then the app is closed. */
  app: FastifyInstance;
  /** Turns readiness to 503 (the first thing that happens). */
  markStopping(): void;
  /**
   * Ends the open event streams (they never finish on their own) with a hint to reconnect, right after
   * markStopping, so that the drain never waits on them and their clients move to another instance.
   */
  endStreams?(): void;
  /** Stops background work and closes the database (and Redis): the container's close(). */
  closeResources(): Promise<void>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** SHUTDOWN_DELAY_MS: how long the service keeps accepting after readiness turned 503. */
  delayMs: number;
  graceMs: number;
  /** How long a connection must have been idle (no request running) before the drain closes it. */
  idleCloseMs?: number;
}

export interface ShutdownOutcome {
  /** Requests still running when the grace period ended, whose connections were cut. */
  cut: number;
  exitCode: 0 | 1;
}

interface Connection {
  /** Requests of this connection not yet answered. */
  running: number;
  /** Bytes of a request arrived that Node has not made a request of yet (its headers are still coming). */
  reading: boolean;
  /** When it last finished a response (or was accepted): idle since then when nothing runs. */
  idleSince: number;
}

const SWEEP_MS = 25;
const ACCEPT_QUIET_MS = 100;
const ACCEPT_QUIET_MAX_MS = 1000;

/**
 * Graceful shutdown over the app's own HTTP server, so that no request that reached the service is
 * reset. On the first signal: readiness answers 503 and every answer carries `Connection: close`, while
 * the service keeps accepting and serving for `delayMs` (a load balancer sees the 503 and stops sending).
 * Then the listener closes. A connection is closed only once nothing runs or is being read on it and it has
 * been idle for `idleCloseMs`: one that was accepted but whose request was not yet read, or a keep-alive one whose
 * client is sending its next request right now, is given the time to be read and answered (Node's
 * closeIdleConnections() closes both at once, which the client sees as a reset). What still runs at the end
 * of the grace period is cut. Then the app's close hooks run and the resources close. Fastify's own close()
 * is not used to drain: it answers every request that arrives on a live connection with a bare 503.
 */
export function createGracefulShutdown(deps: GracefulShutdownDeps) {
  const { app, markStopping, closeResources, logger, delayMs, graceMs } = deps;
  const idleCloseMs = deps.idleCloseMs ?? 250;
  const server = app.server;
  const connections = new Map<Socket, Connection>();
  const active = new Set<ServerResponse>();
  let draining = false;
  let outcome: Promise<ShutdownOutcome> | undefined;

  let lastAcceptAt = 0;
  server.on('connection', (socket: Socket) => {
    lastAcceptAt = Date.now();
    const connection: Connection = { running: 0, reading: false, idleSince: Date.now() };
    connections.set(socket, connection);
    socket.on('data', () => {
      if (connection.running === 0) connection.reading = true;
    });
    socket.once('close', () => connections.delete(socket));
  });

  // Ahead of Fastify's listener, so the header is set before any handler could send.
  server.prependListener('request', (request, response: ServerResponse) => {
    const connection = connections.get(request.socket as Socket);
    if (connection) {
      connection.running++;
      connection.reading = false;
    }
    active.add(response);
    if (draining) response.setHeader('Connection', 'close');
    response.once('close', () => {
      active.delete(response);
      if (connection) {
        connection.running--;
        connection.idleSince = Date.now();
      }
    });
  });

  /**
   * Closes the connections that have been idle long enough, counted from the later of their last answer
   * and the listener's closing: a client that picks an old keep-alive connection for a request just as the
   * drain begins still has `idleCloseMs` for it to arrive.
   */
  function closeIdle(since: number) {
    const now = Date.now();
    for (const [socket, connection] of connections) {
      const idleFor = now - Math.max(connection.idleSince, since);
      if (connection.running === 0 && !connection.reading && idleFor >= idleCloseMs) socket.destroy();
    }
  }

  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  async function drain(signal: string): Promise<ShutdownOutcome> {
    markStopping();
    deps.endStreams?.();
    draining = true;
    logger.info({ event: 'shutdown', signal, inFlight: active.size, delayMs, graceMs }, 'shutting down: finishing in-flight requests');
    for (const response of active) if (!response.headersSent) response.setHeader('Connection', 'close');
    if (delayMs > 0) await wait(delayMs);
    // Connections the kernel has completed but Node has not accepted yet are reset when the listener
    // closes (measured: a dozen of 25 fresh ones, with one event-loop turn in between). So the listener
    // closes only once nothing new has been accepted for a moment, or at most after a second.
    const quietFrom = Date.now();
    while (Date.now() - Math.max(lastAcceptAt, quietFrom) < ACCEPT_QUIET_MS && Date.now() - quietFrom < ACCEPT_QUIET_MAX_MS) {
      await wait(10);
    }

    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const closingAt = Date.now();
    // Checked after the turn's I/O: a request that arrived while this process stood still (descheduled, a long
    // pause) is read before its connection is judged idle; a timer alone runs before the sockets are read.
    const sweep = setInterval(() => setImmediate(() => closeIdle(closingAt)), SWEEP_MS);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([closed, graceOver]);
    clearTimeout(timer);
    clearInterval(sweep);
    let cut = 0;
    if (connections.size > 0) {
      cut = active.size;
      if (cut > 0) logger.warn({ event: 'shutdown_grace_exceeded', cut }, 'grace period over; cutting the requests still running');
      server.closeAllConnections();
      for (const socket of connections.keys()) socket.destroy();
      await closed;
    }

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
