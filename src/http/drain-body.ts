import type { IncomingMessage } from 'node:http';

/** What a refused body is read for at most, before the answer (nginx's lingering close keeps to bounds too). */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
const DRAIN_MAX_MS = 3000;

/**
 * Reads and throws away what is left of a request body. A 413 sent while the client is still sending is
 * followed by the socket's close, and a close with unread data makes the kernel reset the connection,
 * which can wipe the answer before the client reads it: so the rest is read first, within bounds (past
 * them the connection is closed as before).
 */
export function drainBody(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', finish);
      raw.off('error', finish);
      raw.off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) finish();
    };
    const timer = setTimeout(finish, DRAIN_MAX_MS);
    raw.on('data', onData);
    raw.once('end', finish);
    raw.once('error', finish);
    raw.once('close', finish);
    raw.resume();
  });
}
