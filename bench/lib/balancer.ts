import { createServer, connect, type Server } from 'node:net';

/**
 * A small TCP balancer in front of several instances: each new connection goes to the next instance in turn
 * (keep-alive connections stay where they landed, as with most L4 balancers). Counts connections per instance.
 * `port`: where it listens (0: any free one), known before the instances start since it is their PUBLIC_URL.
 */
export async function startBalancer(ports: number[], port = 0): Promise<{ url: string; connections: number[]; close(): Promise<void> }> {
  const connections = ports.map(() => 0);
  let next = 0;
  const server: Server = createServer((client) => {
    const index = next++ % ports.length;
    connections[index]! += 1;
    const upstream = connect(ports[index]!, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
