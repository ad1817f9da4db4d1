import { createServer, type Server } from 'node:http';
import { freePort } from '../helpers/ports.js';

/** A project's front page, as small as can be: it shows the `xtown_code` it was opened with. */
export async function startProjectStub(): Promise<{ url: string; codes: string[]; close(): Promise<void> }> {
  const port = await freePort();
  const codes: string[] = [];
  const server: Server = createServer((request, response) => {
    const code = new URL(request.url ?? '/', `http://127.0.0.1:${port}`).searchParams.get('xtown_code') ?? '';
    if (code) codes.push(code);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Stub project</title><h1>Stub project</h1><p id="code">${code.replace(/[^\w-]/g, '')}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    codes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
