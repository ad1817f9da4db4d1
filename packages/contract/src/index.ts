/**
 * The HTTP contract of the Xtown Authenticator (API.md) as zod schemas: what the server validates and
 * documents, what the dashboard and the SDKs send and read. Depends on zod only, so it runs in a browser.
 */
import type { z } from 'zod';
import type * as auditLogs from './audit.js';
import type * as auth from './auth.js';
import type * as events from './events.js';
import type * as projects from './projects.js';
import type * as users from './users.js';
import type * as views from './views.js';

export * as auditLogs from './audit.js';
export * as auth from './auth.js';
export * as events from './events.js';
export * as health from './health.js';
export * as jwks from './jwks.js';
export * as projects from './projects.js';
export * as users from './users.js';
export * from './envelopes.js';
export * from './errors.js';
export * from './pagination.js';
export * from './password-rules.js';
export * from './primitives.js';
export * from './views.js';

export type Role = z.infer<typeof import('./primitives.js').role>;
export type OtpPurpose = z.infer<typeof auth.otpPurpose>;
export type UserView = z.infer<typeof views.userView>;
export type ProjectSummaryView = z.infer<typeof views.projectSummary>;
export type ProjectView = z.infer<typeof projects.projectView>;
export type AuditLogView = z.infer<typeof auditLogs.auditLogView>;
export type AuditStats = z.infer<typeof auditLogs.auditStatsView>;
export type SignInDay = z.infer<typeof auditLogs.signInDay>;
export type LoginPayload = z.infer<typeof auth.loginPayload>;
export type RefreshAnswer = z.infer<typeof auth.responses.refresh>['data'];
export type UserStats = z.infer<typeof users.userStatsView>;
export type ProjectStats = z.infer<typeof projects.projectStats>;
export type ProjectEventData = z.infer<typeof events.projectEventData>;
/** The error envelope every non-2xx answer carries. */
export type ErrorEnvelope = z.infer<typeof import('./envelopes.js').errorEnvelope>;
