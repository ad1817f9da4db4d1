import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { SharedStateLink } from '../domain/ports.js';

export interface RedisLinkOptions {
  logger: Logger;
  /** Prepended to every key and channel, so that several deployments (or test runs) share one Redis. */
  prefix?: string;
  /** A command that takes longer fails, and the caller falls back to memory. */
  commandTimeoutMs?: number;
  /** How long start-up waits for the first connection before going on without Redis. */
  connectWaitMs?: number;
  /** While Redis is marked unavailable with the connection still open (a hung server), a PING this often. */
  probeIntervalMs?: number;
}

/** One Redis connection and the shared view of whether Redis is usable right now. */
export interface RedisLink extends SharedStateLink {
  client: Redis;
  prefix: string;
  /** False from the first failure until Redis answers again; callers use memory meanwhile. */
  available(): boolean;
  /** A command failed or timed out: marks Redis unavailable (logged once) until it answers again. */
  reportFailure(error: unknown): void;
  /** Called each time Redis becomes usable again after an outage. */
  onRecover(listener: () => void): void;
  /** Another connection with the same settings (a subscribed connection can run nothing else). */
  duplicate(): Redis;
  /** Readiness: true when a PING is answered within the command timeout. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Connects to REDIS_URL. ioredis is loaded only here, so a deployment without Redis never loads it.
 * Commands never queue while disconnected and time out fast: a Redis outage costs a request at most
 * the command timeout, after which limits and revocation run without Redis until it returns.
 */
export async function connectRedis(url: string, options: RedisLinkOptions): Promise<RedisLink> {
  const { Redis: RedisClient } = await import('ioredis');
  const { logger } = options;
  const prefix = options.prefix ?? 'xtown:';
  const settings: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 200,
    connectTimeout: 2000,
    // Forever, backing off to 2 s: Redis coming back is noticed without a restart.
    retryStrategy: (times) => Math.min(times * 100, 2000),
    // The subscriber resubscribes itself on 'ready' (it may never have subscribed if Redis was down at start).
    autoResubscribe: false,
    // Commands issued in the same tick (one per validation for its budget, under load many) go out in one
    // write: a socket write per command was a tenth of a validation's CPU.
    enableAutoPipelining: true,
  };
  const client = new RedisClient(url, settings);
  const connections: Redis[] = [client];
  const recoverListeners: Array<() => void> = [];
  // 'starting' until the first connection or failure: a start without Redis is logged once, a normal start not at all.
  let state: 'starting' | 'up' | 'down' = 'starting';
  let closing = false;
  let probe: NodeJS.Timeout | undefined;

  const markUp = () => {
    if (state === 'up' || closing) return;
    const recovering = state === 'down';
    state = 'up';
    if (probe) clearInterval(probe);
    probe = undefined;
    if (recovering) {
      logger.info({ event: 'redis_recovered' }, 'Redis is reachable again: limits and revocation signals are shared again');
      recoverListeners.forEach((listener) => listener());
    }
  };
  const markDown = (error: unknown) => {
    if (state === 'down' || closing) return;
    state = 'down';
    logger.warn({ event: 'redis_unavailable', err: describe(error) }, "Redis is unreachable: limits fall back to this instance's memory");
    probe = setInterval(() => {
      // A closed connection reconnects by itself and says 'ready'; an open one that stopped answering needs asking.
      if (client.status === 'ready') void client.ping().then(markUp, () => undefined);
    }, options.probeIntervalMs ?? 1000);
    probe.unref();
  };

  client.on('ready', markUp);
  client.on('error', markDown);
  client.on('close', () => markDown(new Error('connection closed')));

  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.connectWaitMs ?? 1000);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', done);
    client.once('error', done);
  });

  return {
    client,
    prefix,
    publish: (channel, message) => client.publish(channel, message),
    available: () => state === 'up',
    reportFailure: markDown,
    onRecover: (listener) => recoverListeners.push(listener),
    duplicate() {
      const copy = client.duplicate();
      // Without a listener ioredis prints every failed reconnect; the link already logged the outage.
      copy.on('error', () => undefined);
      connections.push(copy);
      return copy;
    },
    async ping() {
      try {
        await client.ping();
        markUp();
        return true;
      } catch (error) {
        markDown(error);
        return false;
      }
    },
    async close() {
      closing = true;
      if (probe) clearInterval(probe);
      await Promise.all(connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
