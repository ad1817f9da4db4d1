import type { DataStore } from '../../src/db/repositories/index.js';
import { until } from './until.js';

export interface OutboxPolls {
  /** Resolves once the worker has finished `n` more polls that found nothing due. */
  idle(n: number, what: string): Promise<void>;
}

/**
 * Watches the outbox worker through the repository call each poll makes (claimDue, looked up on the
 * store's repository object every time): a poll that claimed nothing is the event that proves a
 * worker looked and had nothing to send, where a fixed sleep would only hope it looked.
 */
export function watchOutboxPolls(store: DataStore): OutboxPolls {
  const outbox = store.repos.outbox;
  const claimDue = outbox.claimDue.bind(outbox);
  let empty = 0;
  outbox.claimDue = async (...args) => {
    const rows = await claimDue(...args);
    if (rows.length === 0) empty += 1;
    return rows;
  };
  return {
    async idle(n, what) {
      const target = empty + n;
      await until(what, () => empty >= target);
    },
  };
}
