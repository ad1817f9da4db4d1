import { call } from '../lib/http.js';
// The test suite's wire-level counter: one implementation for the tests and the bench.
import { startPgStatementCounter } from '../../test/helpers/pg-statements.js';
import { PASSWORD, startProduct, type ProductOptions, type Session } from '../lib/product.js';

export interface StatementCounts {
  /** validate-token with every token already seen once (steady state). */
  perValidation: number;
  perRotation: number;
  perLogin: number;
  note: string;
}

/**
 * PostgreSQL only: the product restarted behind a relay that counts the statements it sends, then
 * sequential calls, so each figure is statements per request (the outbox poll, one a second, included).
 */
export async function countStatements(options: ProductOptions, sessions: Session[]): Promise<StatementCounts> {
  const target = new URL(options.databaseUrl);
  const counter = await startPgStatementCounter({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(options.databaseUrl);
  proxied.port = String(counter.port);
  const server = await startProduct({ ...options, databaseUrl: proxied.toString() });
  try {
    const sample = sessions.slice(0, Math.min(100, sessions.length));
    const validate = async (s: Session) => call(server.url, 'POST', '/api/auth/validate-token', { body: { token: s.accessToken } });
    for (const s of sample) await validate(s);
    const measure = async (n: number, task: (i: number) => Promise<unknown>) => {
      counter.reset();
      for (let i = 0; i < n; i++) await task(i);
      return Math.round((counter.count() / n) * 100) / 100;
    };
    const perValidation = await measure(sample.length, (i) => validate(sample[i]!));
    const perRotation = await measure(sample.length, (i) =>
      call(server.url, 'POST', '/api/auth/refresh-token', { body: { refreshToken: sample[i]!.refreshToken } }),
    );
    const logins = Math.min(20, sample.length);
    const perLogin = await measure(logins, (i) =>
      call(server.url, 'POST', '/api/auth/login', { body: { email: sample[i]!.email, password: PASSWORD } }),
    );
    return {
      perValidation,
      perRotation,
      perLogin,
      note: `sequential calls: ${sample.length} validations (tokens seen once before), ${sample.length} rotations, ${logins} logins; BEGIN/COMMIT count as statements`,
    };
  } finally {
    await server.stop();
    await counter.close();
  }
}
