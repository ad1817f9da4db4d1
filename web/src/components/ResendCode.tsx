import { Button, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { describeError } from '../api/describe';
import { isApiError } from '../api/errors';
import { t } from '../messages';

/** Seconds left of a cooldown, counting down once a second. */
export function useCountdown(): [number, (seconds: number) => void] {
  const [until, setUntil] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), 250);
    return () => clearTimeout(timer);
  }, [until, now]);
  const left = Math.max(0, Math.ceil((until - now) / 1000));
  return [
    left,
    (seconds) => {
      setNow(Date.now());
      setUntil(Date.now() + seconds * 1000);
    },
  ];
}

/** "Send a new code", disabled while the server's cooldown runs (counted from `Retry-After`, or 60 s after a send). */
export function ResendCode({ send, initialCooldown = 0 }: { send: () => Promise<unknown>; initialCooldown?: number }) {
  const [left, start] = useCountdown();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  useEffect(() => {
    if (initialCooldown > 0) start(initialCooldown);
    // Once, on mount: the cooldown the page was opened with.
  }, []);

  const onClick = async () => {
    setBusy(true);
    setNote(null);
    try {
      await send();
      start(60);
      setNote({ text: t.auth.resent, error: false });
    } catch (error) {
      if (isApiError(error) && error.retryAfter) start(error.retryAfter);
      setNote({ text: describeError(error), error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <Button variant="subtle" size="compact-sm" px={0} onClick={onClick} disabled={left > 0} loading={busy}>
        {left > 0 ? t.auth.resendIn(left) : t.auth.resend}
      </Button>
      <div aria-live="polite">
        {note && (
          <Text size="xs" c={note.error ? 'red' : 'teal'} mt={4}>
            {note.text}
          </Text>
        )}
      </div>
    </div>
  );
}
