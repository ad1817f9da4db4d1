import type { OtpPurpose } from '../domain/models.js';

/** The seed's five emails and the OTP-lockout notice. */
export interface EmailData {
  REGISTRATION_OTP: { name: string; otp: string; expiresInMinutes: number };
  ACCOUNT_ACTIVATION_OTP: { name: string; otp: string; expiresInMinutes: number };
  FORGOT_PASSWORD_OTP: { name: string; otp: string; expiresInMinutes: number };
  WELCOME: { name: string };
  ACCOUNT_SUSPENDED: { name: string; reason: string };
  OTP_LOCKOUT: { purpose: OtpPurpose; until: Date };
  ACCOUNT_LOCKED: { name: string; until: Date };
}

export type EmailKind = keyof EmailData;

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface OutgoingEmail extends RenderedEmail {
  to: string;
}

/** Delivers one email now. SMTP in production; the console in development without SMTP; a capture in tests. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  /** True when the transport is reachable (readiness). */
  check(): Promise<boolean>;
  close(): Promise<void>;
}
