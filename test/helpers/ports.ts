import { createServer } from 'node:net';

/**
 * A port nothing listens on, below Linux's ephemeral range (32768+): the OS never hands it to another
 * test's listen(0), so no stranger starts answering on it while a test relies on it being free or dead.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
}
