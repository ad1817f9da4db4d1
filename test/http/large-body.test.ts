import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';

/** Sends a raw request over a real socket and reads everything until the server closes it. */
function send(port: number, head: string, body: Buffer): Promise<{ received: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let error: string | undefined;
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    // EPIPE while still writing is fine as long as the answer was read; a reset that loses it is not.
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    socket.on('close', () => resolve({ received, ...(error ? { error } : {}) }));
    // Written the way a client on a real network sends it: a piece at a time, the server answering meanwhile.
    socket.write(head);
    void (async () => {
      for (let offset = 0; offset < body.length && !socket.destroyed; offset += 64 * 1024) {
        await new Promise<void>((done) => socket.write(body.subarray(offset, offset + 64 * 1024), () => done()));
        await new Promise((done) => setTimeout(done, 1));
      }
    })();
  });
}

describe(`a body over the limit, over a real socket (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(() => t.close());

  const body = Buffer.from(`{"email":"a@acme.test","password":"${'x'.repeat(2 * 1024 * 1024)}"}`);
  const expect413 = (answer: { received: string; error?: string }) => {
    expect(answer.received, answer.error).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.received).toMatch(/\r\nconnection: close\r\n/i);
    const json = answer.received.slice(answer.received.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(json).error.code).toBe('PAYLOAD_TOO_LARGE');
  };

  it('lets a client that sends 2 MB with a Content-Length read its 413, every time', async () => {
    const head = `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    for (const answer of await Promise.all(Array.from({ length: 8 }, () => send(port, head, body)))) expect413(answer);
  });

  it('and one that streams 2 MB chunked, without announcing the length', async () => {
    const head = 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunked = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    for (const answer of await Promise.all(Array.from({ length: 4 }, () => send(port, head, chunked)))) expect413(answer);
  });
});
