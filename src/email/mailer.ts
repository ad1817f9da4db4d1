import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../config/index.js';
import type { Mailer, OutgoingEmail } from './types.js';

/** A hanging server must not hold a send (and its outbox lock, 60 s by default) for ever. */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 20_000;
const CHECK_TIMEOUT_MS = 5_000;

export function createSmtpMailer(smtp: SmtpConfig): Mailer {
  const transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.pass ?? '' } : undefined,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
  return {
    async send(email: OutgoingEmail) {
      await transporter.sendMail({ from: smtp.from, to: email.to, subject: email.subject, html: email.html, text: email.text });
    },
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
        timer.unref();
      });
      try {
        return await Promise.race([transporter.verify().then(() => true, () => false), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/** Development only (config refuses it in production): prints each email so the OTP can be read off the terminal. */
export function createConsoleMailer(write: (s: string) => void = (s) => process.stdout.write(s)): Mailer {
  return {
    async send(email: OutgoingEmail) {
      const rule = '-'.repeat(72);
      write([rule, 'Email (console mailer: printed, not sent)', `To:      ${email.to}`, `Subject: ${email.subject}`, '', email.text.trimEnd(), rule, ''].join('\n'));
    },
    check: async () => true,
    close: async () => {},
  };
}
