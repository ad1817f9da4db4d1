import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './process.js';

export interface SmtpSink {
  port: number;
  /** The newest OTP (OTP_LENGTH digits, 6 by default) mailed to `to`, waiting for it if need be. */
  otpFor(to: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** The product in production mode needs SMTP: a local sink (no TLS, no auth) that keeps what it gets. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  const received: Array<{ to: string; text: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 500,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(','), text: parsed.text ?? '' });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    async otpFor(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const message = received.filter((m) => m.to.includes(to.toLowerCase())).at(-1);
        const otp = message && /\b(\d{6})\b/.exec(message.text)?.[1];
        if (otp) return otp;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no OTP mailed to ${to} within ${timeoutMs} ms`);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
