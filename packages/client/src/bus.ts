import type { ChannelLike, OpenChannel } from './types.js';

type Listener = (message: Record<string, unknown>) => void;

/** A typed-enough wrapper over one BroadcastChannel name, with `flush()`. */
export interface Bus {
  post(message: { type: string } & Record<string, unknown>): void;
  subscribe(listener: Listener): () => void;
  /**
   * Resolves once every message other tabs posted before this call has been delivered here. A channel delivers
   * in the order messages were posted, and never to its sender, so we post a marker from one of our channels
   * and wait for it on a second one (the probe): an event, not a sleep.
   */
  flush(): Promise<void>;
  close(): void;
}

let markers = 0;

export const defaultOpenChannel = (): OpenChannel | null =>
  typeof globalThis.BroadcastChannel === 'function' ? (name) => new globalThis.BroadcastChannel(name) as unknown as ChannelLike : null;

export function createBus(open: OpenChannel, name: string): Bus {
  const channel = open(name);
  const listeners = new Set<Listener>();
  const pendingFlushes = new Map<string, () => void>();
  let probe: ChannelLike | undefined;

  channel.onmessage = (event) => {
    const message = event.data as Record<string, unknown> | null;
    if (!message || typeof message.type !== 'string' || message.type === 'flush') return;
    for (const listener of listeners) listener(message);
  };

  return {
    post: (message) => channel.postMessage(message),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush() {
      if (!probe) {
        probe = open(name);
        probe.onmessage = (event) => {
          const marker = (event.data as { marker?: unknown } | null)?.marker;
          if (typeof marker !== 'string') return;
          pendingFlushes.get(marker)?.();
          pendingFlushes.delete(marker);
        };
      }
      const marker = `${Math.random().toString(36).slice(2)}-${++markers}`;
      const landed = new Promise<void>((resolve) => pendingFlushes.set(marker, resolve));
      channel.postMessage({ type: 'flush', marker });
      return landed;
    },
    close() {
      for (const resolve of pendingFlushes.values()) resolve();
      pendingFlushes.clear();
      channel.close();
      probe?.close();
    },
  };
}
