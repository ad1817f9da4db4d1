import type { Repositories } from '../db/repositories/index.js';
import type { OtpPurpose } from '../services/models.js';

/** The seed's five emails and the OTP-lockout notice. */
export interface EmailData {
  REGISTRATION_OTP: { name: string; otp: string; expiresInMinutes: number };
  ACCOUNT_ACTIVATION_OTP: { name: string; otp: string; expiresInMinutes: number };
  FORGOT_PASSWORD_OTP: { name: string; otp: string; expiresInMinutes: number };
  WELCOME: { name: string };
  ACCOUNT_SUSPENDED: { name: string; reason: string };
  OTP_LOCKOUT: { purpose: OtpPurpose; until: Date };
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

/** Puts an email in the outbox inside the caller's transaction, so it is sent if and only if the change commits. */
export interface EmailQueue {
  enqueue<K extends EmailKind>(tx: Repositories, kind: K, to: string, data: EmailData[K]): Promise<void>;
  /** Asks the worker to look at the outbox now (call after the transaction commits). */
  nudge(): void;
}
