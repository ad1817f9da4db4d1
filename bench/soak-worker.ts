/**
 * The soak's load (bench/scenarios/soak.ts), in its own process: `users` loops that each sign in, read /me,
 * validate their token five times, rotate the refresh token, list their projects and sign out, again and again;
 * and one admin loop that creates a sub-user and deletes it. Takes { url, emails, password, adminToken,
 * durationSec } over IPC and answers with the counts when the time is up.
 */
import http from 'node:http';

interface Job {
  url: string;
  emails: string[];
  password: string;
  adminToken: string;
  durationSec: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const counts = { answers: 0, errors: 0, byStatus: {} as Record<string, number> };

function call(url: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      `${url}${path}`,
      {
        method,
        agent,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          counts.answers += 1;
          const status = response.statusCode ?? 0;
          counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status, json });
        });
      },
    );
    request.on('error', () => {
      counts.errors += 1;
      resolve({ status: 0, json: undefined });
    });
    request.end(payload);
  });
}

async function userLoop(job: Job, email: string, until: number) {
  while (Date.now() < until) {
    const login = await call(job.url, 'POST', '/api/auth/login', { email, password: job.password });
    if (login.status !== 200) continue;
    let { accessToken, refreshToken } = login.json.data;
    await call(job.url, 'GET', '/api/auth/me', undefined, accessToken);
    for (let i = 0; i < 5; i++) await call(job.url, 'POST', '/api/auth/validate-token', { token: accessToken });
    const refreshed = await call(job.url, 'POST', '/api/auth/refresh-token', { refreshToken });
    if (refreshed.status === 200) ({ accessToken, refreshToken } = refreshed.json.data);
    await call(job.url, 'GET', '/api/projects', undefined, accessToken);
    await call(job.url, 'POST', '/api/auth/logout', { refreshToken }, accessToken);
  }
}

async function adminLoop(job: Job, until: number) {
  for (let n = 0; Date.now() < until; n++) {
    const created = await call(
      job.url,
      'POST',
      '/api/users/sub-user',
      { name: `Soak ${n}`, email: `soak-${n}@bench.test` },
      job.adminToken,
    );
    if (created.status === 201) await call(job.url, 'DELETE', `/api/users/${created.json.data.id}`, undefined, job.adminToken);
  }
}

process.once('message', async (job: Job) => {
  const until = Date.now() + job.durationSec * 1000;
  await Promise.all([...job.emails.map((email) => userLoop(job, email, until)), adminLoop(job, until)]);
  process.send!(counts, () => process.exit(0));
});
