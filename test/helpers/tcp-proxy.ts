import { connect, createServer, type Server, type Socket } from 'node:net';

export type Outage = 'refuse' | 'blackhole' | 'freeze';

export interface TcpProxy {
  port: number;
  /** Connections made through the proxy since it started. */
  connections(): number;
  /**
   * `refuse` and `blackhole` cut every open connection, then either refuse new ones (the database host is
   * down) or accept them and never forward a byte (a network partition: only timeouts end the wait).
   * `freeze` cuts nothing: open connections stay open but nothing passes any more, and new ones are held
   * too (a dead network path that sends no reset).
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
  const pairs = new Set<[Socket, Socket]>();
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
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.once('close', () => pairs.delete(pair));
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
      if (outage === 'freeze') {
        for (const [client, upstream] of pairs) {
          client.unpipe(upstream);
          upstream.unpipe(client);
          client.pause();
          upstream.pause();
        }
        return;
      }
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
