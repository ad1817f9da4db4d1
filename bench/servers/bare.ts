/**
 * The physical limit of this machine for a JSON endpoint: node:http alone, reading and parsing the
 * request body and answering a small JSON document. Nothing is checked; validate-token is compared with it.
 */
import http from 'node:http';

const answer = Buffer.from(JSON.stringify({ success: true, data: { valid: true, tokenType: 'ACCESS' } }));

const server = http.createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"success":false}');
      return;
    }
    if (!body || typeof body !== 'object') {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"success":false}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length }).end(answer);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
