import { createVerifier } from '@xtown/verify';
import { createProjectApp } from './app.js';

/** The settings a project needs from the hub: its address, the project's customProjectId and client secret. */
function setting(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required (see examples/project-app/README.md)`);
    process.exit(1);
  }
  return value;
}

const hubUrl = setting('XTOWN_URL').replace(/\/+$/, '');
const xtown = createVerifier({ issuer: hubUrl, project: setting('XTOWN_PROJECT'), clientSecret: setting('XTOWN_CLIENT_SECRET') });
const port = Number(process.env.PORT ?? 4000);
const app = createProjectApp({ xtown, hubUrl, secureCookies: (process.env.APP_URL ?? '').startsWith('https:') });
const server = app.listen(port, () => console.log(`Project app listening on http://localhost:${port}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    xtown.close();
    server.close(() => process.exit(0));
  });
}
