import { SseParser, type SseMessage } from '@xtown/verify';
import { describe, expect, it } from 'vitest';

/** Feeds `chunks` to a parser and returns what it reported, in order. */
function parse(chunks: string[], initialId = '') {
  const out: Array<SseMessage | { comment: string } | { retry: number }> = [];
  const parser = new SseParser(
    {
      onMessage: (m) => out.push(m),
      onComment: (comment) => out.push({ comment }),
      onRetry: (retry) => out.push({ retry }),
    },
    initialId,
  );
  for (const chunk of chunks) parser.feed(chunk);
  return out;
}

describe('@xtown/verify: the SSE parser', () => {
  it('dispatches on a blank line, joins data lines, drops one leading space and keeps the last id', () => {
    expect(parse(['id: 1\nevent: user.revoked\ndata: {"a":\ndata:  1}\n\n', 'data: x\n\n'])).toEqual([
      { event: 'user.revoked', data: '{"a":\n 1}', lastEventId: '1' },
      { event: 'message', data: 'x', lastEventId: '1' },
    ]);
  });

  it('reads LF, CRLF and CR line ends, also when a CRLF or a line is split across chunks', () => {
    const whole = 'id: 7\r\nevent: a\rdata: 1\n\r\n';
    const expected = [{ event: 'a', data: '1', lastEventId: '7' }];
    expect(parse([whole])).toEqual(expected);
    for (let cut = 1; cut < whole.length; cut++) expect(parse([whole.slice(0, cut), whole.slice(cut)]), `cut at ${cut}`).toEqual(expected);
    expect(parse([...whole])).toEqual(expected);
  });

  it('reports comments (the heartbeat) and retry hints, ignores unknown fields and an invalid retry', () => {
    expect(parse(['\uFEFF: heartbeat\n', 'retry: 2500\nretry: soon\nfoo: bar\n\n', ':\n'])).toEqual([
      { comment: 'heartbeat' },
      { retry: 2500 },
      { comment: '' },
    ]);
  });

  it('dispatches nothing for an event without data, yet keeps its id; an id with NUL is ignored', () => {
    expect(parse(['id: 5\nevent: x\n\n', 'id: 6\u0000\ndata: y\n\n'], '4')).toEqual([{ event: 'message', data: 'y', lastEventId: '5' }]);
  });

  it('keeps a line without its end until the end arrives', () => {
    expect(parse(['data: par', 'tial'])).toEqual([]);
    expect(parse(['data: par', 'tial\n', '\n'])).toEqual([{ event: 'message', data: 'partial', lastEventId: '' }]);
  });
});
