import { events as e, projects as c } from '@xtown/contract';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../errors/index.js';
import type { EventHub, StreamEvent, StreamSink } from '../../services/events/hub.js';
import { route } from '../route.js';
import type { RouteDeps } from './deps.js';

/** A client that reads slower than this much is queued for is cut; it resumes from its Last-Event-ID. */
const MAX_QUEUED_BYTES = 1 << 20;
const LAST_EVENT_ID = /^\d{1,15}$/;

/** `Authorization: Basic base64(customProjectId:clientSecret)`, or undefined. */
function basicCredentials(request: FastifyRequest): { user: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : undefined;
}

/** API.md: an all-digit reference is the id, anything else the customProjectId. */
const names = (ref: string, project: { id: number; customProjectId: string }) =>
  /^\d+$/.test(ref) ? Number(ref) === project.id : ref === project.customProjectId;

function message(event: StreamEvent): string {
  const data = {
    id: event.id,
    type: event.type,
    at: event.at.toISOString(),
    userId: 'userId' in event ? event.userId : null,
    sessionId: 'sessionId' in event ? event.sessionId : null,
    projectId: event.projectId,
    gen: 'gen' in event ? event.gen : null,
    reason: 'reason' in event ? event.reason : null,
  };
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** GET /api/projects/:id/events: the project's backend follows the revocations of its tokens (API.md "Project events"). */
export const projectEventsRoutes =
  (deps: RouteDeps & { events: EventHub }): FastifyPluginAsyncZod =>
  async (app) => {
    const { auth, budgets, events } = deps;
    // Streams never end by themselves: Fastify's close (and the graceful drain before it) ends them first.
    app.addHook('preClose', async () => events.closeAll());

    app.get(
      '/:id/events',
      route({
        access: 'project-backend',
        tags: ['projects'],
        summary: "The project's events stream (Server-Sent Events), for its backend: Basic customProjectId:clientSecret",
        params: c.projectParams,
        eventStream: {
          schema: e.projectEventData,
          description:
            'text/event-stream: `id:`, `event:` (the type) and `data:` (this JSON) per event, after Last-Event-ID (or every retained one), then live ones',
        },
        errors: [401],
      }),
      async (request, reply) => {
        const credentials = basicCredentials(request);
        const found = credentials && (await auth.projectAccess.authenticateBackend(credentials.user, credentials.secret));
        if (!found || !names(request.params.id, found.project)) {
          // Counted against the address: nobody burns a project's budget by naming it.
          await budgets.backend(request, undefined);
          request.log.warn({ event: 'events_stream_refused' }, 'events stream: wrong credentials or project');
          throw new AppError('TOKEN_INVALID', { message: 'Wrong project credentials' });
        }
        await budgets.backend(request, found.project.id);
        const header = request.headers['last-event-id'];
        const lastEventId = typeof header === 'string' && LAST_EVENT_ID.test(header.trim()) ? Number(header.trim()) : undefined;

        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          'x-accel-buffering': 'no',
        });
        raw.flushHeaders();
        let gone = false;
        let end = () => {};
        const write = (chunk: string) => {
          if (gone) return;
          raw.write(chunk);
          if (raw.writableLength > MAX_QUEUED_BYTES) sink.close('shutdown');
        };
        const sink: StreamSink = {
          event: (event) => write(message(event)),
          heartbeat: () => write(': heartbeat\n\n'),
          close(why) {
            if (gone) return;
            if (why === 'shutdown') raw.write('retry: 1000\n\n');
            gone = true;
            raw.end();
            end();
          },
        };
        raw.on('close', () => {
          gone = true;
          end();
        });
        try {
          end = await events.open({ projectId: found.project.id, secretHash: found.secretHash, lastEventId, sink });
          if (gone) end();
          // A heartbeat right after the replay tells a client that it is current (no need to wait 5 s for the first).
          else sink.heartbeat();
        } catch (error) {
          request.log.error({ event: 'events_stream_failed', err: error }, 'events stream could not start');
          sink.close('shutdown');
        }
      },
    );
  };
