import type { Logger } from 'pino';
import type { DataStore } from '../../db/repositories/index.js';
import type { Clock } from '../../domain/clock.js';
import type { ProjectEvent } from '../../domain/events.js';
import type { SharedStateLink } from '../../domain/ports.js';
import { secretHashWorks } from '../auth/project-access.js';
import { followRedisNudges } from './nudges.js';
import type { EventHubOptions, StreamEvent, StreamRequest } from './stream.js';

export type { EventHubOptions, StreamEvent, StreamRequest, StreamSink } from './stream.js';

interface Stream extends StreamRequest {
  /** The newest id sent; a row at or below it is not sent again. */
  sentId: number;
  /** While the replay runs, live rows wait here. */
  pending: ProjectEvent[] | null;
  closed: boolean;
}

const PAGE = 500;
const FAST_POLL_MS = 250;
/** Ids are dense (rollbacks undo the counter too): a missing one is awaited this long before it is given up. */
const GAP_WAIT_MS = 2000;
const isDeletion = (event: StreamEvent) => event.type === 'project.revoked' && event.reason === 'PROJECT_DELETED';

/**
 * One per instance: follows project_events by id and fans each new row out to the open streams of its
 * project (every stream for a projectId-null row). It reads while streams are open, every `pollMs`, and at
 * once when this instance committed events or, with Redis, when another one says it did. Each stream first
 * replays what it missed; rows that arrive meanwhile wait and are sent after it, without repeats.
 */
export function createEventHub(
  deps: { store: DataStore; clock: Clock; logger: Logger; link?: SharedStateLink },
  options: EventHubOptions = {},
) {
  const { store, clock, logger, link } = deps;
  const events = store.repos.projectEvents;
  const pollMs = options.pollMs ?? 1000;
  let lastReadAt = 0;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const byProject = new Map<number, Set<Stream>>();
  let count = 0;
  let lastId = 0;
  let gapSince: number | undefined;
  let starting: Promise<void> | undefined;
  let running = false;
  let shutDown = false;
  let poll: NodeJS.Timeout | undefined;
  let beat: NodeJS.Timeout | undefined;
  let reading: Promise<void> | undefined;
  let readAgain = false;

  const channel = link ? followRedisNudges(link, logger, () => nudge()) : undefined;
  store.onProjectEvents(() => {
    nudge();
    channel?.publish();
  });

  function send(stream: Stream, event: StreamEvent) {
    if (stream.closed || event.id <= stream.sentId) return;
    stream.sentId = event.id;
    stream.sink.event(event);
    if (isDeletion(event) && event.projectId === stream.projectId) end(stream, 'deleted');
  }

  function deliver(event: ProjectEvent) {
    const targets =
      event.projectId === null ? [...byProject.values()].flatMap((set) => [...set]) : [...(byProject.get(event.projectId) ?? [])];
    for (const stream of targets) {
      if (stream.pending) stream.pending.push(event);
      else send(stream, event);
    }
  }

  async function readOnce(): Promise<void> {
    for (;;) {
      const rows = await events.after(lastId, PAGE);
      for (const row of rows) {
        if (row.id !== lastId + 1) {
          // A row not visible yet (never expected: ids are taken in commit order); wait a little, then go on.
          gapSince ??= Date.now();
          if (Date.now() - gapSince < GAP_WAIT_MS) return;
          logger.warn({ event: 'project_events_gap', from: lastId + 1, to: row.id - 1 }, 'project events skipped');
        }
        gapSince = undefined;
        lastId = row.id;
        deliver(row);
      }
      if (rows.length < PAGE) return;
    }
  }

  /** Reads now, or right after the read in progress. */
  function nudge() {
    if (!running) return;
    if (reading) {
      readAgain = true;
      return;
    }
    lastReadAt = Date.now();
    reading = readOnce()
      .catch((error: unknown) =>
        logger.warn({ event: 'project_events_read_failed', err: (error as Error).message }, 'project events not read'),
      )
      .finally(() => {
        reading = undefined;
        if (readAgain) {
          readAgain = false;
          nudge();
        }
      });
  }

  async function heartbeat() {
    const now = clock.now();
    for (const [projectId, streams] of byProject) {
      for (const stream of streams) stream.sink.heartbeat();
      try {
        const project = await store.repos.projects.findByRef(projectId);
        for (const stream of [...streams]) {
          if (!project) end(stream, 'deleted');
          else if (!secretHashWorks(project, stream.secretHash, now)) end(stream, 'secret');
        }
      } catch (error) {
        logger.warn({ event: 'project_events_check_failed', err: (error as Error).message }, 'event streams not checked');
      }
    }
  }

  async function start() {
    lastId = await events.latestId();
    running = true;
    poll = setInterval(() => {
      // The nudges carry the news while Redis is there; the slow poll only catches what one might have lost.
      if (!link?.available() || Date.now() - lastReadAt >= pollMs) nudge();
    }, FAST_POLL_MS);
    beat = setInterval(() => void heartbeat(), heartbeatMs);
    poll.unref();
    beat.unref();
  }

  function stop() {
    running = false;
    clearInterval(poll);
    clearInterval(beat);
  }

  /** `gone`: the client left; nothing more is written. */
  function end(stream: Stream, why: 'deleted' | 'secret' | 'shutdown' | 'gone') {
    if (stream.closed) return;
    stream.closed = true;
    const set = byProject.get(stream.projectId);
    set?.delete(stream);
    if (set?.size === 0) byProject.delete(stream.projectId);
    count -= 1;
    if (count === 0 && !starting) stop();
    if (why !== 'gone') stream.sink.close(why);
  }

  async function replay(stream: Stream) {
    if (stream.lastEventId !== undefined) {
      const purged = await events.purgeMark();
      if (stream.lastEventId < purged.id)
        send(stream, { id: purged.id, type: 'resync', at: purged.at ?? clock.now(), projectId: stream.projectId });
    }
    for (;;) {
      const rows = await events.after(stream.sentId, PAGE, stream.projectId);
      for (const row of rows) send(stream, row);
      if (rows.length < PAGE || stream.closed) break;
    }
  }

  return {
    /**
     * Opens a stream: replays what came after its Last-Event-ID, then live events. Answers a function that
     * ends it (the client went away). After shutdown the sink is closed at once.
     */
    async open(request: StreamRequest): Promise<() => void> {
      const stream: Stream = { ...request, sentId: request.lastEventId ?? 0, pending: [], closed: false };
      if (shutDown) {
        stream.sink.close('shutdown');
        return () => {};
      }
      let set = byProject.get(stream.projectId);
      if (!set) byProject.set(stream.projectId, (set = new Set()));
      set.add(stream);
      count += 1;
      // Registered before the replay reads, so every row committed after that read reaches `pending`.
      try {
        if (!running) {
          starting ??= start().finally(() => (starting = undefined));
          await starting;
        }
        await replay(stream);
      } catch (error) {
        end(stream, 'gone');
        throw error;
      } finally {
        if (count === 0) stop();
      }
      const waiting = stream.pending ?? [];
      stream.pending = null;
      for (const event of waiting) send(stream, event);
      return () => end(stream, 'gone');
    },

    /** Ends every stream now with a hint to reconnect (to another instance), and takes no more. */
    closeAll() {
      shutDown = true;
      for (const streams of [...byProject.values()]) for (const stream of [...streams]) end(stream, 'shutdown');
      stop();
    },

    openStreams: () => count,

    async stop() {
      this.closeAll();
      await reading;
      await channel?.stop();
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;
