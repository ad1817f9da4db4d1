import { connect, createServer, type Socket } from 'node:net';

export interface PgStatementCounter {
  port: number;
  /** Statements sent since the last reset: simple queries ('Q') and executions of extended ones ('E'), BEGIN and COMMIT included. */
  count(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A relay in front of PostgreSQL that reads the client side of the wire protocol and counts the
 * statements, so a test sees what reaches the database whatever layer sent it (the bench counts with it too).
 */
export async function startPgStatementCounter(target: { host: string; port: number }): Promise<PgStatementCounter> {
  let statements = 0;
  const live = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      live.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        live.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    let pending: Buffer = Buffer.alloc(0);
    let startup = true;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        if (startup) {
          // The startup message (and an SSL or GSS request before it) has a length but no type byte.
          if (pending.length < 8 || pending.length < pending.readInt32BE(0)) break;
          const code = pending.readInt32BE(4);
          if (code !== 80877103 && code !== 80877104) startup = false;
          pending = pending.subarray(pending.readInt32BE(0));
          continue;
        }
        if (pending.length < 5 || pending.length < pending.readInt32BE(1) + 1) break;
        const type = String.fromCharCode(pending[0]!);
        if (type === 'Q' || type === 'E') statements += 1;
        pending = pending.subarray(pending.readInt32BE(1) + 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('counter has no port');
  return {
    port: address.port,
    count: () => statements,
    reset: () => void (statements = 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of live) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
