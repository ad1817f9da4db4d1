/**
 * Event-stream clients for bench/scenarios/events.ts, in a process of their own (neither in the server nor in
 * the harness): opens `streams` SSE connections to GET /api/projects/:id/events, says when every one is current
 * (its first heartbeat, which follows the replay), then reports for each `user.revoked` the wall-clock time
 * (timeOrigin + now, comparable across processes) at which the first and the last stream received it.
 */
import http from 'node:http';

export interface EventsClientSpec {
  url: string;
  path: string;
  authorization: string;
  streams: number;
  /** Streams being opened at once (a thousand SYNs at once would overflow the listen queue). */
  concurrency: number;
}

export type EventsClientMessage =
  | { type: 'open'; streams: number; ms: number }
  | { type: 'revoked'; userId: number; firstAt: number; lastAt: number }
  | { type: 'error'; message: string };

const wallClock = () => performance.timeOrigin + performance.now();
const say = (message: EventsClientMessage) => process.send!(message);

const requests: http.ClientRequest[] = [];
const arrivals = new Map<number, { count: number; firstAt: number; lastAt: number }>();
let closing = false;

function received(userId: number, at: number, streams: number) {
  const seen = arrivals.get(userId) ?? { count: 0, firstAt: at, lastAt: at };
  seen.count++;
  seen.lastAt = at;
  arrivals.set(userId, seen);
  if (seen.count === streams) say({ type: 'revoked', userId, firstAt: seen.firstAt, lastAt: seen.lastAt });
}

/** Resolves at the stream's first heartbeat; afterwards reports the user.revoked events it reads. */
function open(spec: EventsClientSpec, url: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      {
        host: url.hostname,
        port: url.port,
        path: spec.path,
        agent: false,
        headers: { authorization: spec.authorization, accept: 'text/event-stream' },
      },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`events stream: ${response.statusCode}`));
          response.resume();
          return;
        }
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          const at = wallClock();
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            if (block.startsWith(': heartbeat')) resolve();
            else if (/^event: user\.revoked$/m.test(block)) {
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (data) received(JSON.parse(data).userId as number, at, spec.streams);
            }
          }
        });
        response.on('close', () => {
          if (!closing) say({ type: 'error', message: 'an events stream closed' });
        });
      },
    );
    request.on('error', (error) => (closing ? resolve() : reject(error)));
    requests.push(request);
  });
}

process.on('message', async (message: EventsClientSpec | { type: 'close' }) => {
  if ('type' in message) {
    closing = true;
    for (const request of requests) request.destroy();
    process.exit(0);
  }
  const spec = message as EventsClientSpec;
  const url = new URL(spec.url);
  const started = performance.now();
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: spec.concurrency }, async () => {
        while (next < spec.streams) {
          next++;
          await open(spec, url);
        }
      }),
    );
    say({ type: 'open', streams: spec.streams, ms: performance.now() - started });
  } catch (error) {
    say({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
