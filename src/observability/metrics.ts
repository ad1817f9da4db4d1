import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LoginOutcome } from '../domain/ports.js';

export type { LoginOutcome };
export type EmailOutcome = 'sent' | 'failed' | 'abandoned';

export const LOGIN_OUTCOMES: readonly LoginOutcome[] = [
  'success',
  'invalid_credentials',
  'locked',
  'not_activated',
  'suspended',
  'rate_limited',
];
export const EMAIL_OUTCOMES: readonly EmailOutcome[] = ['sent', 'failed', 'abandoned'];

/** What the gauges read at scrape time. */
export interface MetricsSources {
  outboxPending(): Promise<number>;
  hashPool(): { active: number; queued: number; concurrency: number };
  /** Projects' event streams open on this instance. */
  eventStreams(): number;
  /** Entries of the in-memory revocation state (bounded by its TTL's working set). */
  authStateEntries(): { users: number; sessions: number; projects: number };
}

/** A scrape must stay fast while the database hangs: past this the outbox gauge is left out. */
const OUTBOX_PROBE_TIMEOUT_MS = 1000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Prometheus metrics on a registry of their own (never prom-client's global one), so that several
 * apps in one process (the tests) each count only their own work.
 */
export function createMetrics(sources: MetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const logins = new Counter({
    name: 'xtown_logins_total',
    help: 'Password logins by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const emails = new Counter({
    name: 'xtown_emails_total',
    help: 'Outbox delivery attempts by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  // Every outcome is present from the start, so rate() and alerts see a zero rather than no series.
  for (const outcome of LOGIN_OUTCOMES) logins.inc({ outcome }, 0);
  for (const outcome of EMAIL_OUTCOMES) emails.inc({ outcome }, 0);

  new Gauge({
    name: 'xtown_email_outbox_pending',
    help: 'Emails waiting in the outbox (pending, including those waiting for a retry)',
    registers,
    async collect() {
      try {
        this.set(await withTimeout(sources.outboxPending(), OUTBOX_PROBE_TIMEOUT_MS));
      } catch {
        // Database unreachable: no sample rather than a stale one (readiness reports the outage).
        this.reset();
      }
    },
  });
  new Gauge({
    name: 'xtown_password_hash_jobs',
    help: 'Password hash/verify jobs in the bounded pool, running (active) and waiting (queued)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const stats = sources.hashPool();
      this.set({ state: 'active' }, stats.active);
      this.set({ state: 'queued' }, stats.queued);
    },
  });
  new Gauge({
    name: 'xtown_event_streams_open',
    help: 'Project event streams (GET /api/projects/:id/events) open on this instance',
    registers,
    collect() {
      this.set(sources.eventStreams());
    },
  });
  new Gauge({
    name: 'xtown_auth_state_entries',
    help: 'Users, sessions and projects held in the in-memory revocation state',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      for (const [kind, entries] of Object.entries(sources.authStateEntries())) this.set({ kind }, entries);
    },
  });
  new Gauge({
    name: 'xtown_password_hash_concurrency',
    help: 'Password hash/verify jobs allowed to run at once',
    registers,
    collect() {
      this.set(sources.hashPool().concurrency);
    },
  });

  return {
    registry,
    /** `route` is the route's pattern (never the raw URL, which would explode the label set). */
    observeRequest(method: string, route: string, statusCode: number, seconds: number) {
      httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
    login(outcome: LoginOutcome) {
      logins.inc({ outcome });
    },
    email(outcome: EmailOutcome) {
      emails.inc({ outcome });
    },
    async render(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
