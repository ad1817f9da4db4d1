import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './ports.js';

export { freePort };
import type { Mailer, OutgoingEmail } from '../../src/email/types.js';

export interface CapturingMailer extends Mailer {
  sent: OutgoingEmail[];
  /** Resolves with the first sent email (already sent or still to come) that matches, among those sent at or after `since` (a mark()). */
  waitFor(predicate: (email: OutgoingEmail) => boolean, timeoutMs?: number, since?: number): Promise<OutgoingEmail>;
  /** A mark to take before an action: emails the action sends come after it. */
  mark(): number;
  /** The next n sends throw, as a failing SMTP server would. */
  failNext(n: number): void;
}

export function createCapturingMailer(): CapturingMailer {
  const sent: OutgoingEmail[] = [];
  const waiters = new Set<{ predicate: (email: OutgoingEmail) => boolean; resolve: (email: OutgoingEmail) => void }>();
  let failures = 0;
  return {
    sent,
    async send(email) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('capturing mailer: simulated failure');
      }
      sent.push(email);
      for (const waiter of waiters) {
        if (waiter.predicate(email)) {
          waiters.delete(waiter);
          waiter.resolve(email);
        }
      }
    },
    check: async () => true,
    close: async () => {},
    failNext(n) {
      failures = n;
    },
    mark: () => sent.length,
    waitFor(predicate, timeoutMs = 2000, since = 0) {
      const found = sent.slice(since).find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (email: OutgoingEmail) => {
            clearTimeout(timer);
            resolve(email);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching email within ${timeoutMs} ms (${sent.length} sent)`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

export interface ReceivedMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SmtpPeer {
  port: number;
  messages: ReceivedMessage[];
  stop(): Promise<void>;
  /** Listens again on the same port after stop(). */
  start(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (no TLS, no auth) that parses and keeps every message it accepts;
 * `rejectRecipient` answers 550 (echoing the address, as real servers do) for the addresses it picks.
 */
export async function startSmtpPeer(options: { port?: number; rejectRecipient?: (address: string) => boolean } = {}): Promise<SmtpPeer> {
  const port = options.port ?? (await freePort());
  const messages: ReceivedMessage[] = [];
  let server: SMTPServer | undefined;

  const listen = async () => {
    const instance = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 1000,
      onRcptTo(address, _session, callback) {
        if (options.rejectRecipient?.(address.address)) {
          callback(Object.assign(new Error(`<${address.address}>: Recipient address rejected: user unknown`), { responseCode: 550 }));
        } else callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            // Stored before the server answers 250, so a resolved send is already visible here.
            messages.push({
              to: session.envelope.rcptTo.map((r) => r.address).join(', '),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      instance.once('error', reject);
      instance.listen(port, '127.0.0.1', () => {
        instance.off('error', reject);
        resolve();
      });
    });
    server = instance;
  };

  await listen();
  return {
    port,
    messages,
    async stop() {
      const instance = server;
      server = undefined;
      if (instance) await new Promise<void>((resolve) => instance.close(() => resolve()));
    },
    async start() {
      if (!server) await listen();
    },
  };
}
