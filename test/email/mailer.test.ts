import { describe, expect, it, vi } from 'vitest';
import { createConsoleMailer, createSmtpMailer } from '../../src/email/mailer.js';
import { renderEmail } from '../../src/email/templates.js';
import { freePort, startSmtpPeer } from '../helpers/mailer.js';

// Counts loads of the real module: an idle instance must not pay for it.
const nodemailerLoads = vi.hoisted(() => ({ count: 0 }));
vi.mock('nodemailer', async (importOriginal) => {
  nodemailerLoads.count += 1;
  return importOriginal();
});

describe('console mailer', () => {
  it('prints the recipient, the subject and the text body with the OTP', async () => {
    let printed = '';
    const mailer = createConsoleMailer((s) => {
      printed += s;
    });
    await mailer.send({ to: 'dev@example.test', ...renderEmail('REGISTRATION_OTP', { name: 'Dev', otp: '314159', expiresInMinutes: 10 }) });
    expect(printed).toContain('To:      dev@example.test');
    expect(printed).toContain('Subject: Your Xtown Authenticator registration code');
    expect(printed).toContain('314159');
    expect(printed).not.toContain('<p');
    expect(await mailer.check()).toBe(true);
  });
});

describe('SMTP mailer', () => {
  const from = 'Xtown Authenticator <no-reply@xtown.test>';

  // First in this file, so that nothing has loaded nodemailer yet.
  it('loads nodemailer on the first check or send, not when it is made, and closes without loading it', async () => {
    const unused = createSmtpMailer({ host: '127.0.0.1', port: await freePort(), secure: false, from });
    await unused.close();
    const mailer = createSmtpMailer({ host: '127.0.0.1', port: await freePort(), secure: false, from });
    expect(nodemailerLoads.count).toBe(0);
    expect(await mailer.check()).toBe(false);
    expect(nodemailerLoads.count).toBe(1);
    await mailer.close();
  });

  it('delivers text and HTML from the configured sender, and check() reflects whether the server answers', async () => {
    const peer = await startSmtpPeer();
    const mailer = createSmtpMailer({ host: '127.0.0.1', port: peer.port, secure: false, from });
    try {
      expect(await mailer.check()).toBe(true);
      await mailer.send({ to: 'frank@example.test', ...renderEmail('WELCOME', { name: 'Frank' }) });
      expect(peer.messages).toEqual([expect.objectContaining({ to: 'frank@example.test', subject: 'Welcome to Xtown Authenticator' })]);
      expect(peer.messages[0]!.html).toContain('Hello Frank,');
      await peer.stop();
      expect(await mailer.check()).toBe(false);
      await peer.start();
      expect(await mailer.check()).toBe(true);
    } finally {
      await mailer.close();
      await peer.stop();
    }
  });

  it('rejects a send when nothing listens', async () => {
    const mailer = createSmtpMailer({ host: '127.0.0.1', port: await freePort(), secure: false, from });
    await expect(mailer.send({ to: 'x@example.test', subject: 's', text: 't', html: '<p>t</p>' })).rejects.toThrow(/ECONNREFUSED/);
    expect(await mailer.check()).toBe(false);
  });
});
