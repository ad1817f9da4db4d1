import { connect, createServer, type Server, type Socket } from 'node:net';

export type Outage = 'refuse' | 'blackhole';

export interface TcpProxy {
  port: number;
  /** Connections made through the proxy since it started. */
  connections(): number;
  /**
   * Cuts every open connection, then either refuses new ones (the database host is down) or accepts
   * them and never forwards a byte (a network partition: only timeouts end the wait).
   */
  cut(outage: Outage): Promise<void>;
  /** Forwards again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of `target`, that a test can cut and restore. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: 'open' | Outage = 'open';
  let count = 0;
  const live = new Set<Socket>();
  const track = (socket: Socket) => {
    live.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => live.delete(socket));
  };

  const server: Server = createServer((client) => {
    track(client);
    if (mode !== 'open') return; // blackhole: held open, never answered
    count += 1;
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  // Below the ephemeral range, so that while the proxy refuses, no other test's listen(0) can take the port.
  let port = 0;
  for (;;) {
    port = 20_000 + Math.floor(Math.random() * 10_000);
    if (
      await listen(port).then(
        () => true,
        () => false,
      )
    )
      break;
  }
  const destroyAll = () => {
    for (const socket of live) socket.destroy();
  };

  return {
    port,
    connections: () => count,
    async cut(outage) {
      mode = outage;
      destroyAll();
      if (outage === 'refuse') await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async restore() {
      const wasRefusing = mode === 'refuse';
      mode = 'open';
      destroyAll();
      if (wasRefusing) await listen(port);
    },
    async close() {
      mode = 'refuse';
      destroyAll();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
