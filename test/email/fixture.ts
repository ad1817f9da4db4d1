import { pino } from 'pino';
import { createSecrets } from '../../src/crypto/secrets.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import { createEmailQueue } from '../../src/services/outbox/queue.js';
import { fixedClock } from '../../src/domain/clock.js';
import { openMigratedTestDatabase } from '../helpers/database.js';
import type { Database } from '../../src/db/client.js';

export const secrets = createSecrets('outbox-test-secret-0123456789abcdef0123456789');

/** A pino logger whose lines are kept, to check what a failure logs. */
export function capturingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

export interface OutboxFixture {
  database: Database;
  store: DataStore;
  clock: ReturnType<typeof fixedClock>;
  queue: ReturnType<typeof createEmailQueue>;
  drop(): Promise<void>;
}

export async function openOutboxFixture(): Promise<OutboxFixture> {
  const { database, drop } = await openMigratedTestDatabase();
  const clock = fixedClock('2026-03-01T10:00:00.000Z');
  return { database, store: createDataStore(database), clock, queue: createEmailQueue({ secrets, clock }), drop };
}

export const otpData = (otp: string, name = 'Alice') => ({ name, otp, expiresInMinutes: 10 });
