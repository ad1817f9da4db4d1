import type { Logger } from 'pino';
import type { AuthStateCache } from '../auth-state.js';
import type { SharedStateLink } from '../../domain/ports.js';
import { createSignalApplier, parseSignal, type RevocationSignal } from './apply.js';

const MAX_UNSENT = 1000;

export interface RevocationTransport {
  stop(): Promise<void>;
}

/**
 * Revocation over Redis pub/sub: every local invalidation is published with this instance's id, and
 * every other instance's is applied here. Signals cannot be lost silently: those that fail to
 * publish wait for Redis to return (past a bound, one "drop everything" stands for them all), and a
 * subscriber that lost its connection drops its whole cache when it is back, since it may have
 * missed some. The cache TTL still bounds staleness while Redis is away.
 */
export async function startRedisRevocation(deps: {
  cache: AuthStateCache;
  link: SharedStateLink;
  logger: Logger;
  instanceId: string;
  subscribeWaitMs?: number;
}): Promise<RevocationTransport> {
  const { cache, link, logger, instanceId } = deps;
  const channel = `${link.prefix}revocation`;
  const applier = createSignalApplier(cache);
  let unsent: RevocationSignal[] = [];
  let stopped = false;

  const publish = (signal: RevocationSignal) => {
    if (!link.available()) return keep(signal);
    link.publish(channel, JSON.stringify({ from: instanceId, signal })).catch((error: unknown) => {
      link.reportFailure(error);
      keep(signal);
    });
  };
  const keep = (signal: RevocationSignal) => {
    unsent = unsent.length >= MAX_UNSENT || signal.kind === 'all' ? [{ kind: 'all' }] : [...unsent, signal];
  };
  cache.onInvalidate((event) => {
    if (!stopped && !applier.applying()) publish(event);
  });
  link.onRecover(() => {
    const pending = unsent;
    unsent = [];
    pending.forEach(publish);
  });

  const subscriber = link.duplicate();
  subscriber.on('message', (source: string, message: string) => {
    if (source !== channel) return;
    let parsed: { from?: unknown; signal?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (parsed.from === instanceId) return;
    const signal = parseSignal(parsed.signal);
    if (signal) applier.apply(signal);
    else logger.debug({ event: 'revocation_signal_ignored' }, 'unreadable revocation signal');
  });
  const ready = new Promise<void>((resolve) => {
    const subscribe = () => {
      subscriber.subscribe(channel).then(
        () => {
          // Whatever was published while this connection was away is lost: start from an empty cache.
          applier.apply({ kind: 'all' });
          resolve();
        },
        // A connection that drops says 'ready' again when it is back; one that stayed up but did not answer is asked again.
        () => setTimeout(() => !stopped && subscriber.status === 'ready' && subscribe(), 1000).unref(),
      );
    };
    subscriber.on('ready', subscribe);
    if (subscriber.status === 'ready') subscribe();
    // Start-up waits for the subscription only while Redis answers; without it, the service starts at once.
    if (!link.available()) resolve();
    setTimeout(resolve, deps.subscribeWaitMs ?? 1000).unref();
  });
  await ready;

  return {
    async stop() {
      stopped = true;
      // The link closes the connections.
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
