import type { ProjectEvent } from '../../domain/events.js';

/** Where a stream's messages go (the HTTP layer writes them as Server-Sent Events). */
export interface StreamSink {
  event(event: StreamEvent): void;
  heartbeat(): void;
  /** The last message was sent: `shutdown` asks the client to come back soon (elsewhere), the others not to. */
  close(why: 'deleted' | 'secret' | 'shutdown'): void;
}

/** A stored event, or `resync`: events before it were deleted (retention) and the client must re-check its tokens. */
export type StreamEvent = ProjectEvent | { id: number; type: 'resync'; at: Date; projectId: number };

export interface StreamRequest {
  projectId: number;
  /** The stored HMAC of the secret the stream authenticated with: once it stops working, the stream ends. */
  secretHash: string;
  /** Last-Event-ID: replay what came after it; undefined: every retained event. */
  lastEventId: number | undefined;
  sink: StreamSink;
}

export interface EventHubOptions {
  /**
   * With Redis, how often the table is read anyway while streams are open (a safety net behind the nudges;
   * default 1 s). Without Redis, or while it is unreachable, it is read every 250 ms.
   */
  pollMs?: number;
  /** The comment line, and the check that the project and the stream's secret still hold. */
  heartbeatMs?: number;
}
