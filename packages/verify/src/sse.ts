/** One dispatched Server-Sent Event. */
export interface SseMessage {
  event: string;
  data: string;
  /** The last event id seen on the stream so far (it persists across events, as in EventSource). */
  lastEventId: string;
}

export interface SseHandlers {
  onMessage(message: SseMessage): void;
  /** A comment line (`: …`): the service's heartbeat. */
  onComment?(text: string): void;
  /** A `retry:` field: the reconnection delay the server asks for, in ms. */
  onRetry?(ms: number): void;
}

/**
 * An incremental parser of the text/event-stream format (WHATWG HTML "Server-sent events"): lines end in
 * CRLF, LF or CR (a CR at the end of a chunk may be followed by the LF in the next one), a blank line
 * dispatches, `:` starts a comment, and one space after the colon is dropped. Feed it decoded text.
 */
export class SseParser {
  private buffer = '';
  private pendingCr = false;
  private event = '';
  private data: string[] = [];
  private lastEventId = '';
  private started = false;

  constructor(
    private readonly handlers: SseHandlers,
    initialLastEventId = '',
  ) {
    this.lastEventId = initialLastEventId;
  }

  feed(chunk: string): void {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    let start = 0;
    const all = this.buffer + text;
    this.buffer = '';
    for (let i = 0; i < all.length; i++) {
      const c = all.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(all.slice(start, i));
      if (c === 13) {
        if (i + 1 === all.length) this.pendingCr = true;
        else if (all.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = all.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return this.handlers.onComment?.(line.slice(1).trimStart());
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
      // Unknown fields are ignored, as the format says.
    }
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.event;
    this.data = [];
    this.event = '';
    if (data.length === 0) return;
    this.handlers.onMessage({ event: event || 'message', data: data.join('\n'), lastEventId: this.lastEventId });
  }
}
