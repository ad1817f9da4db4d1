import { SseParser, type SseMessage } from './sse.js';
import type { ProjectEvent } from './types.js';

export interface StreamDeps {
  url: string;
  /** `Basic base64(customProjectId:clientSecret)`. */
  authorization: string;
  fetch: typeof fetch;
  heartbeatMs: number;
  minDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  onEvent(event: ProjectEvent): void;
  onError(error: Error): void;
}

/**
 * The project's events stream over fetch: parses the SSE itself, reconnects with back-off and Last-Event-ID,
 * and knows whether it is current: connected, caught up (a heartbeat has come after the replay, which the
 * service sends before any heartbeat) and not silent for two heartbeats. A silent connection is cut and
 * opened again, since a half-open TCP connection would otherwise look connected forever.
 */
export class EventStream {
  connected = false;
  lastEventId: string | null = null;
  /** Date.now() of the last bytes received, null before any. */
  lastMessageAt: number | null = null;
  lastError: string | null = null;
  private caughtUp = false;
  private closed = false;
  private failures = 0;
  private retryHintMs: number | undefined;
  private controller: AbortController | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private readonly staleAfterMs: number;

  constructor(private readonly deps: StreamDeps) {
    // Two heartbeats missed, with a fifth of a period for the network.
    this.staleAfterMs = deps.heartbeatMs * 2 + deps.heartbeatMs / 5;
    this.watchdog = setInterval(() => this.checkSilence(), Math.max(20, deps.heartbeatMs / 4));
    this.watchdog.unref?.();
    void this.run();
  }

  /** Safe for offline verification right now (read on every verify: a comparison, no timer needed). */
  get current(): boolean {
    return this.caughtUp && this.lastMessageAt !== null && Date.now() - this.lastMessageAt <= this.staleAfterMs;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.watchdog);
    clearTimeout(this.reconnectTimer);
    this.controller?.abort(new Error('closed'));
  }

  private checkSilence(): void {
    if (this.connected && this.lastMessageAt !== null && Date.now() - this.lastMessageAt > this.staleAfterMs) {
      this.controller?.abort(new Error(`no heartbeat for ${Date.now() - this.lastMessageAt} ms`));
    }
  }

  private async run(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      'cache-control': 'no-cache',
      authorization: this.deps.authorization,
    };
    if (this.lastEventId !== null) headers['last-event-id'] = this.lastEventId;
    const headersTimer = setTimeout(() => controller.abort(new Error('timed out waiting for the stream')), this.deps.timeoutMs);
    try {
      const response = await this.deps.fetch(this.deps.url, { headers, signal: controller.signal });
      clearTimeout(headersTimer);
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200 || !type.startsWith('text/event-stream') || !response.body) {
        await response.body?.cancel().catch(() => {});
        // A refused secret or a deleted project is not fixed by hammering: wait the longest.
        if (response.status === 401 || response.status === 403 || response.status === 404) this.failures = 16;
        throw new Error(`HTTP ${response.status}`);
      }
      this.connected = true;
      this.caughtUp = false;
      this.lastMessageAt = Date.now();
      const parser = new SseParser(
        {
          onMessage: (message) => this.message(message),
          onComment: () => this.heartbeat(),
          onRetry: (ms) => {
            this.retryHintMs = ms;
          },
        },
        this.lastEventId ?? '',
      );
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.lastMessageAt = Date.now();
        parser.feed(value);
      }
      this.fail(new Error('the stream ended'));
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      clearTimeout(headersTimer);
      this.connected = false;
      this.caughtUp = false;
    }
    this.scheduleReconnect();
  }

  private heartbeat(): void {
    if (!this.caughtUp) {
      this.caughtUp = true;
      this.failures = 0;
      this.lastError = null;
    }
  }

  private message({ event, data, lastEventId }: SseMessage): void {
    let parsed: ProjectEvent;
    try {
      parsed = { ...(JSON.parse(data) as ProjectEvent) };
    } catch {
      this.deps.onError(new Error(`events stream: an event that is not JSON (${event})`));
      parsed = { id: null, type: event, at: null, userId: null, sessionId: null, projectId: null, gen: null, reason: null };
    }
    if (event !== 'message') parsed.type = event;
    this.deps.onEvent(parsed);
    // Recorded once applied, so that a reconnection never skips an event that was not.
    if (lastEventId !== '') this.lastEventId = lastEventId;
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.failures++;
    this.lastError = `events stream: ${error.message}`;
    this.deps.onError(new Error(this.lastError, { cause: error }));
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const { minDelayMs, maxDelayMs } = this.deps;
    const backoff = Math.min(maxDelayMs, minDelayMs * 2 ** Math.max(0, this.failures - 1));
    // The server's retry hint (an instance shutting down) wins; jitter spreads many projects' reconnections.
    const base = this.retryHintMs ?? backoff;
    this.retryHintMs = undefined;
    const delay = Math.min(maxDelayMs, base / 2 + (Math.random() * base) / 2);
    this.reconnectTimer = setTimeout(() => void this.run(), delay);
    this.reconnectTimer.unref?.();
  }
}
