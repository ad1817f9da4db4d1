import type { Transporter } from 'nodemailer';
import type { SmtpConfig } from '../config/index.js';
import type { Mailer, OutgoingEmail } from './types.js';

/** A hanging server must not hold a send (and its outbox lock, 60 s by default) for ever. */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 20_000;
const CHECK_TIMEOUT_MS = 5_000;
/** How long check() waits for a fresh answer before it reports the last known state. */
const CHECK_WAIT_MS = 500;

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * nodemailer (40 ES modules: about 2 MB of heap and 75 ms of CPU when loaded at start) is loaded on the
 * first send or check instead: an idle instance, and one whose outbox stays empty, never needs it.
 */
export function createSmtpMailer(smtp: SmtpConfig): Mailer {
  let transporter: Promise<Transporter> | undefined;
  const transport = () =>
    (transporter ??= import('nodemailer').then(
      ({ default: nodemailer }) =>
        nodemailer.createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          auth: smtp.user ? { user: smtp.user, pass: smtp.pass ?? '' } : undefined,
          connectionTimeout: CONNECTION_TIMEOUT_MS,
          greetingTimeout: GREETING_TIMEOUT_MS,
          socketTimeout: SOCKET_TIMEOUT_MS,
        }),
      (error: unknown) => {
        transporter = undefined;
        throw error;
      },
    ));
  let probe: Promise<boolean> | undefined;
  let lastKnown = false;
  return {
    async send(email: OutgoingEmail) {
      await (await transport()).sendMail({ from: smtp.from, to: email.to, subject: email.subject, html: email.html, text: email.text });
    },
    async check() {
      // Loading the module is local work, not the server's answer: the wait below is for the server only.
      const current = await transport().catch(() => undefined);
      if (!current) return false;
      // One probe at a time, whatever the number of readiness calls; it may run on in the background.
      probe ??= withTimeout(
        current.verify().then(
          () => true,
          () => false,
        ),
        CHECK_TIMEOUT_MS,
        false,
      ).then((healthy) => {
        lastKnown = healthy;
        probe = undefined;
        return healthy;
      });
      // Readiness must answer within a load balancer's probe timeout even when the server hangs: a fresh
      // answer if it comes quickly, else the last one known (unhealthy until one has come).
      return withTimeout(probe, CHECK_WAIT_MS, lastKnown);
    },
    async close() {
      // Never loads nodemailer just to close it.
      if (transporter) (await transporter.catch(() => undefined))?.close();
    },
  };
}

/** Development only (config refuses it in production): prints each email so the OTP can be read off the terminal. */
export function createConsoleMailer(write: (s: string) => void = (s) => process.stdout.write(s)): Mailer {
  return {
    async send(email: OutgoingEmail) {
      const rule = '-'.repeat(72);
      write(
        [
          rule,
          'Email (console mailer: printed, not sent)',
          `To:      ${email.to}`,
          `Subject: ${email.subject}`,
          '',
          email.text.trimEnd(),
          rule,
          '',
        ].join('\n'),
      );
    },
    check: async () => true,
    close: async () => {},
  };
}
