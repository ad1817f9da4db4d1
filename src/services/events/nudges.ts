import type { Logger } from 'pino';
import type { SharedStateLink } from '../../domain/ports.js';

/**
 * With Redis: an instance that committed project events says so on one channel, and every instance's hub
 * reads the table at once instead of at its next (slower) poll. Nothing rides on the message itself: a lost
 * one only delays the events until the poll.
 */
export function followRedisNudges(link: SharedStateLink, logger: Logger, onNudge: () => void) {
  const channel = `${link.prefix}project-events`;
  const subscriber = link.duplicate();
  let stopped = false;
  subscriber.on('message', (source: string) => {
    if (source === channel) onNudge();
  });
  const subscribe = () => {
    if (stopped) return;
    subscriber.subscribe(channel).then(
      // Whatever was said while this connection was away: read now.
      () => onNudge(),
      () => setTimeout(() => subscriber.status === 'ready' && subscribe(), 1000).unref(),
    );
  };
  subscriber.on('ready', subscribe);
  if (subscriber.status === 'ready') subscribe();

  return {
    publish() {
      if (!link.available()) return;
      link.publish(channel, '1').catch((error: unknown) => {
        link.reportFailure(error);
        logger.debug({ event: 'project_events_nudge_failed' }, 'project events nudge not published');
      });
    },
    async stop() {
      stopped = true;
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
