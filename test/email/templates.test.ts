import { describe, expect, it } from 'vitest';
import { escapeHtml, renderEmail } from '../../src/email/templates.js';
import type { EmailData, EmailKind } from '../../src/email/types.js';

const samples: { [K in EmailKind]: EmailData[K] } = {
  REGISTRATION_OTP: { name: 'Alice', otp: '048213', expiresInMinutes: 10 },
  ACCOUNT_ACTIVATION_OTP: { name: 'Bob', otp: '730015', expiresInMinutes: 15 },
  FORGOT_PASSWORD_OTP: { name: 'Carol', otp: '999001', expiresInMinutes: 1 },
  WELCOME: { name: 'Dave' },
  ACCOUNT_SUSPENDED: { name: 'Eve', reason: 'Shared credentials' },
  OTP_LOCKOUT: { purpose: 'FORGOT_PASSWORD', until: new Date('2026-03-02T10:15:00.000Z') },
  ACCOUNT_LOCKED: { name: 'Frank', until: new Date('2026-03-02T10:45:00.000Z') },
};
const kinds = Object.keys(samples) as EmailKind[];
const otpKinds = ['REGISTRATION_OTP', 'ACCOUNT_ACTIVATION_OTP', 'FORGOT_PASSWORD_OTP'] as const;

describe('email templates', () => {
  it.each(kinds)('%s renders a subject, HTML and text naming the product', (kind) => {
    const email = renderEmail(kind, samples[kind]);
    expect(email.subject).toContain('Xtown Authenticator');
    expect(email.html).toMatch(/^<!doctype html>/);
    expect(email.html).toContain('Xtown Authenticator');
    expect(email.text).toContain('Xtown Authenticator');
    expect(email.text).not.toMatch(/<[a-z]/i);
  });

  it('links each code to the dashboard page that takes it, for its recipient, in the text and the HTML', () => {
    const links = { publicUrl: 'https://auth.acme.test', to: 'bob+x@acme.test' };
    const expected: Partial<Record<EmailKind, string>> = {
      REGISTRATION_OTP: 'https://auth.acme.test/setup',
      ACCOUNT_ACTIVATION_OTP: 'https://auth.acme.test/activate?email=bob%2Bx%40acme.test',
      FORGOT_PASSWORD_OTP: 'https://auth.acme.test/reset-password?email=bob%2Bx%40acme.test',
      WELCOME: 'https://auth.acme.test/login?email=bob%2Bx%40acme.test',
    };
    for (const [kind, url] of Object.entries(expected) as Array<[EmailKind, string]>) {
      const email = renderEmail(kind, samples[kind], links);
      expect(email.text, kind).toContain(url);
      expect(email.html, kind).toContain(`href="${escapeHtml(url)}"`);
    }
    // No link without the service's address, and none in a suspension notice.
    expect(renderEmail('ACCOUNT_ACTIVATION_OTP', samples.ACCOUNT_ACTIVATION_OTP).text).not.toContain('http');
    expect(renderEmail('ACCOUNT_SUSPENDED', samples.ACCOUNT_SUSPENDED, links).text).not.toContain('https://auth.acme.test');
  });

  it('names every kind differently', () => {
    const subjects = kinds.map((kind) => renderEmail(kind, samples[kind]).subject);
    expect(new Set(subjects).size).toBe(kinds.length);
  });

  it.each(otpKinds)('%s carries the OTP and its validity in minutes in both parts', (kind) => {
    const data = samples[kind];
    const email = renderEmail(kind, data);
    for (const part of [email.text, email.html]) {
      expect(part).toContain(data.otp);
      expect(part).toContain(`${data.expiresInMinutes} minute`);
    }
    expect(email.subject).not.toContain(data.otp);
  });

  it('greets by name and states the suspension reason and the lockout end', () => {
    expect(renderEmail('WELCOME', samples.WELCOME).text).toContain('Hello Dave,');
    expect(renderEmail('ACCOUNT_SUSPENDED', samples.ACCOUNT_SUSPENDED).html).toContain('Shared credentials');
    const lockout = renderEmail('OTP_LOCKOUT', samples.OTP_LOCKOUT);
    expect(lockout.text).toContain('2026-03-02 10:15 UTC');
    expect(lockout.text).toContain('password reset');
  });

  it('escapes user-supplied values in the HTML', () => {
    const name = `<script>alert("x")</script> & 'co'`;
    const reason = '<img src=x onerror=alert(1)>';
    for (const email of [
      renderEmail('REGISTRATION_OTP', { name, otp: '123456', expiresInMinutes: 10 }),
      renderEmail('WELCOME', { name }),
      renderEmail('ACCOUNT_SUSPENDED', { name, reason }),
    ]) {
      expect(email.html).not.toContain('<script>');
      expect(email.html).not.toContain('<img');
      expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
      // The text part is plain text: shown as typed.
      expect(email.text).toContain(name);
    }
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
