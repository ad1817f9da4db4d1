import { spawn } from 'node:child_process';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createGracefulShutdown } from '../../src/shutdown.js';
import { until } from '../helpers/until.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** Blocks this process (the server) as a descheduling or a long GC pause would. */
function stall(ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

/**
 * A client in a process of its own (so that it can send while the server's process stands still): it connects,
 * says "connected", sends its request 100 ms after it reads "go", and prints what it receives.
 */
const CLIENT = `
const socket = require('node:net').connect(Number(process.argv[1]), '127.0.0.1', () => console.log('connected'));
const body = JSON.stringify({ n: 1 });
process.stdin.once('data', () => setTimeout(() => socket.write('POST /echo HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: ' + body.length + '\\r\\n\\r\\n' + body), 100));
socket.on('data', (chunk) => process.stdout.write(chunk));
socket.on('error', (error) => console.log('\\n' + error.code));
socket.on('close', () => { console.log('\\nclosed'); process.exit(0); });
`;

describe('the drain when the server’s process stalls', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  it('answers a request that arrived during the stall instead of closing its connection as idle', async () => {
    app = Fastify();
    app.post('/echo', async (request) => ({ echoed: request.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    // Made at start, as main.ts does: it follows every connection from its accept.
    const graceful = createGracefulShutdown({
      app,
      markStopping: () => {},
      closeResources: async () => {},
      logger: silent,
      delayMs: 0,
      graceMs: 5000,
    });
    const client = spawn(process.execPath, ['-e', CLIENT, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    client.stdout.on('data', (chunk) => (output += chunk.toString()));
    await until('the client to connect', () => output.includes('connected'));

    const outcome = graceful.shutdown('SIGTERM');
    await until('the listener to close', () => !app!.server.listening);
    // The request arrives 100 ms into a 400 ms stall that starts at the end of an event-loop turn: the next turn
    // runs the drain's timers before it reads the socket, 150 ms past idleCloseMs (250 ms). A stall of the
    // server is not idleness of the connection.
    client.stdin.write('go\n');
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        stall(400);
        resolve();
      }),
    );
    await until('the client to finish', () => output.includes('closed'));
    expect(output).toMatch(/HTTP\/1\.1 200/);
    expect(output).toContain('{"echoed":{"n":1}}');
    expect(await outcome).toEqual({ cut: 0, exitCode: 0 });
  });
});
