import type { OtpPurpose } from '../domain/models.js';
import { PRODUCT, renderHtml, renderText, type Body } from './templates/layout.js';
import type { EmailData, EmailKind, RenderedEmail } from './types.js';

export { escapeHtml } from './templates/layout.js';

interface Draft {
  subject: string;
  body: Body;
}

const PURPOSE_LABELS: Record<OtpPurpose, string> = {
  REGISTRATION: 'registration',
  ACCOUNT_ACTIVATION: 'account activation',
  FORGOT_PASSWORD: 'password reset',
};

const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;

/** "2026-01-02 03:04 UTC": the reader's time zone is unknown, so say which one. */
const utc = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function otpDraft(subject: string, intro: string, data: { name: string; otp: string; expiresInMinutes: number }): Draft {
  return {
    subject,
    body: {
      name: data.name,
      paragraphs: [
        intro,
        `This code is valid for ${minutes(data.expiresInMinutes)} and can be used once. Never share it with anyone: ${PRODUCT} staff will never ask for it.`,
        'If you did not request this code, you can ignore this email.',
      ],
      code: data.otp,
    },
  };
}

const drafts: { [K in EmailKind]: (data: EmailData[K]) => Draft } = {
  REGISTRATION_OTP: (data) =>
    otpDraft(
      `Your ${PRODUCT} registration code`,
      `Thank you for registering with ${PRODUCT}. Enter this code to verify your email address:`,
      data,
    ),
  ACCOUNT_ACTIVATION_OTP: (data) =>
    otpDraft(
      `Activate your ${PRODUCT} account`,
      `An account has been created for you on ${PRODUCT}. Enter this code to activate it and choose your password:`,
      data,
    ),
  FORGOT_PASSWORD_OTP: (data) =>
    otpDraft(
      `Your ${PRODUCT} password reset code`,
      `We received a request to reset your ${PRODUCT} password. Enter this code to choose a new one:`,
      data,
    ),
  WELCOME: (data) => ({
    subject: `Welcome to ${PRODUCT}`,
    body: {
      name: data.name,
      paragraphs: [
        `Your ${PRODUCT} account is verified and ready to use.`,
        'You can now sign in and open the projects you have been given access to.',
      ],
    },
  }),
  ACCOUNT_SUSPENDED: (data) => ({
    subject: `Your ${PRODUCT} account has been suspended`,
    body: {
      name: data.name,
      paragraphs: [
        `Your ${PRODUCT} account has been suspended. You are signed out everywhere and cannot sign in until an administrator lifts the suspension.`,
        `Reason: ${data.reason}`,
        'If you think this is a mistake, please contact your administrator.',
      ],
    },
  }),
  OTP_LOCKOUT: (data) => ({
    subject: `${PRODUCT}: verification codes temporarily blocked`,
    body: {
      paragraphs: [
        `Too many wrong ${PURPOSE_LABELS[data.purpose]} codes were entered for this email address on ${PRODUCT}.`,
        `For your security, no new ${PURPOSE_LABELS[data.purpose]} codes will be accepted until ${utc(data.until)}.`,
        'If this was not you, someone may be trying to use your email address. The block ends by itself; no action is needed.',
      ],
    },
  }),
  ACCOUNT_LOCKED: (data) => ({
    subject: `${PRODUCT}: sign-in temporarily locked`,
    body: {
      name: data.name,
      paragraphs: [
        `Several wrong passwords were entered for your ${PRODUCT} account, so new browsers cannot sign in to it until ${utc(data.until)}.`,
        'You can still sign in from a browser you have signed in with before, or reset your password to lift the lock now.',
        'If this was not you, someone may be guessing your password: consider changing it once you are signed in.',
      ],
    },
  }),
};

/** The dashboard's page where each email is acted on (API.md "Outside /api": the emails link there). */
const LINKS: Partial<Record<EmailKind, { label: string; path: (to: string) => string }>> = {
  REGISTRATION_OTP: { label: 'Finish the set-up', path: () => '/setup' },
  ACCOUNT_ACTIVATION_OTP: { label: 'Activate your account', path: (to) => `/activate?email=${encodeURIComponent(to)}` },
  FORGOT_PASSWORD_OTP: { label: 'Choose a new password', path: (to) => `/reset-password?email=${encodeURIComponent(to)}` },
  WELCOME: { label: 'Sign in', path: (to) => `/login?email=${encodeURIComponent(to)}` },
  ACCOUNT_LOCKED: { label: 'Reset your password', path: (to) => `/reset-password?email=${encodeURIComponent(to)}` },
};

/**
 * Subject, HTML and plain text of one email; every interpolated value is HTML-escaped in the HTML part. With the
 * service's `publicUrl` and the recipient, the email links to the dashboard's page for it.
 */
export function renderEmail<K extends EmailKind>(kind: K, data: EmailData[K], links?: { publicUrl: string; to: string }): RenderedEmail {
  const draft = drafts[kind](data);
  const link = LINKS[kind];
  const body = link && links ? { ...draft.body, link: { label: link.label, url: `${links.publicUrl}${link.path(links.to)}` } } : draft.body;
  return { subject: draft.subject, html: renderHtml(draft.subject, body), text: renderText(body) };
}
