import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { ProjectEventData } from '@xtown/contract';
import { until } from './until.js';

/** One block of a text/event-stream: its fields as sent (a comment line is `comment`). */
export interface SseBlock {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  /** The body, for a refused stream (JSON). */
  body(): string;
  blocks: SseBlock[];
  /** The events received so far, their data parsed. */
  events(): Array<ProjectEventData & { sseId: string; sseEvent: string }>;
  heartbeats(): number;
  /** True once the server ended the stream. */
  ended(): boolean;
  /** Waits for an event matching `match` and answers it. */
  waitForEvent(match: (event: ProjectEventData) => boolean, what: string, timeoutMs?: number): Promise<ProjectEventData>;
  waitForEnd(timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens `path` on a listening app over a real socket and reads its event stream as it arrives. */
export function openSse(baseUrl: string, path: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, baseUrl), { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const blocks: SseBlock[] = [];
      let text = '';
      let buffer = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block: SseBlock = {};
          for (const line of buffer.slice(0, cut).split('\n')) {
            if (line.startsWith(':')) block.comment = line.slice(1).trim();
            else {
              const colon = line.indexOf(':');
              const field = line.slice(0, colon) as keyof SseBlock;
              block[field] = line.slice(colon + 1).replace(/^ /, '');
            }
          }
          blocks.push(block);
          buffer = buffer.slice(cut + 2);
        }
      });
      const finish = () => {
        ended = true;
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: () => text,
        blocks,
        events: () =>
          blocks
            .filter((b) => b.data !== undefined)
            .map((b) => ({ ...(JSON.parse(b.data!) as ProjectEventData), sseId: b.id!, sseEvent: b.event! })),
        heartbeats: () => blocks.filter((b) => b.comment !== undefined).length,
        ended: () => ended,
        waitForEvent: (match, what, timeoutMs = 5000) => until(what, () => client.events().find(match), timeoutMs, 10),
        waitForEnd: async (timeoutMs = 5000) => {
          await until('the stream to end', () => ended, timeoutMs, 10);
        },
        close: () => {
          req.destroy();
          res.destroy();
        },
      };
      resolve(client);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The Basic credentials of a project's backend. */
export const basic = (user: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}` });
