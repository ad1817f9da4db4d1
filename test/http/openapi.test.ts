import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerSuperAdmin, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { DASHBOARD_PREFIXES } from '../../src/http/plugins/dashboard.js';
import { servedRoutes } from '../helpers/routes.js';

// The dashboard's pages and its /assets/* (a wildcard: never an API route; the tree prints it as `/*`).
const isDashboardPath = (path: string) =>
  path === '/' || DASHBOARD_PREFIXES.includes(path) || (path.endsWith('*') && !path.startsWith('/api'));

interface BodySpec {
  fields: string[];
  required: string[];
  /** refresh-token, logout and validate-token may come without a body (cookie or Bearer header). */
  optional?: boolean;
}

/** API.md's /api/auth table. */
const ROUTES: Array<{ method: 'get' | 'post'; path: string; body?: BodySpec; bearer?: boolean; pathParams?: string[] }> = [
  { method: 'get', path: '/check-super-admin' },
  {
    method: 'post',
    path: '/register',
    body: {
      fields: ['setupToken', 'name', 'email', 'password', 'companyName', 'companyAddress', 'companyPhone'],
      required: ['setupToken', 'name', 'email', 'password'],
    },
  },
  { method: 'post', path: '/verify-registration-otp', body: { fields: ['email', 'otp'], required: ['email', 'otp'] } },
  { method: 'post', path: '/login', body: { fields: ['email', 'password'], required: ['email', 'password'] } },
  { method: 'post', path: '/activate-account', body: { fields: ['email', 'otp', 'password'], required: ['email', 'otp', 'password'] } },
  { method: 'post', path: '/resend-otp', body: { fields: ['email', 'purpose'], required: ['email', 'purpose'] } },
  { method: 'post', path: '/forgot-password', body: { fields: ['email'], required: ['email'] } },
  { method: 'post', path: '/reset-password', body: { fields: ['email', 'otp', 'newPassword'], required: ['email', 'otp', 'newPassword'] } },
  { method: 'post', path: '/refresh-token', body: { fields: ['refreshToken'], required: [], optional: true } },
  { method: 'post', path: '/logout', body: { fields: ['refreshToken', 'allDevices'], required: [], optional: true } },
  { method: 'post', path: '/validate-token', body: { fields: ['token', 'projectId'], required: [], optional: true } },
  { method: 'post', path: '/project-token/{projectId}', bearer: true, pathParams: ['projectId'] },
  {
    method: 'post',
    path: '/exchange-code',
    body: { fields: ['code', 'projectId', 'clientSecret'], required: ['code', 'projectId', 'clientSecret'] },
  },
  { method: 'get', path: '/me', bearer: true },
  {
    method: 'post',
    path: '/change-password',
    bearer: true,
    body: { fields: ['currentPassword', 'newPassword'], required: ['currentPassword', 'newPassword'] },
  },
];

interface Operation {
  requestBody?: {
    required?: boolean;
    content: Record<
      string,
      { schema: { type?: string; properties?: Record<string, unknown>; required?: string[]; additionalProperties?: unknown } }
    >;
  };
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  security?: Array<Record<string, unknown>>;
  responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
}

describe(`the OpenAPI document (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let doc: {
    openapi: string;
    info: { title: string };
    paths: Record<string, Record<string, Operation>>;
    components?: { securitySchemes?: Record<string, unknown> };
  };
  beforeAll(async () => {
    t = await buildTestApp();
    const response = await t.get('/api/docs/json');
    expect(response.statusCode).toBe(200);
    doc = response.json();
  });
  afterAll(async () => t.close());

  it('is an OpenAPI 3 document with every /api/auth route of API.md', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    for (const route of ROUTES) {
      const operation = doc.paths[`/api/auth${route.path}`]?.[route.method];
      expect(operation, `${route.method.toUpperCase()} /api/auth${route.path}`).toBeDefined();
      const success = route.path === '/register' ? '201' : '200';
      expect(operation!.responses[success]?.content?.['application/json']?.schema.properties, `${route.path} ${success}`).toHaveProperty(
        'success',
      );
    }
    const documented = Object.keys(doc.paths).filter((path) => path.startsWith('/api/auth/'));
    expect(documented.sort()).toEqual(ROUTES.map((route) => `/api/auth${route.path}`).sort());
  });

  it('documents every route the app serves, each with its responses, and nothing it does not serve', () => {
    // Not operations of the API: the document's own pages, the Prometheus scrape (an operator's
    // endpoint, hidden on purpose), the CORS preflight fastify answers for every path, and the dashboard's pages and files.
    const undocumented = (route: { method: string; path: string }) =>
      route.path.startsWith('/api/docs') || route.path === '/metrics' || route.method === 'OPTIONS' || isDashboardPath(route.path);
    const served = servedRoutes(t.app).filter((route) => !undocumented(route));
    // The enumeration itself sees every resource, not only /api/auth.
    for (const prefix of ['/api/auth/', '/api/projects', '/api/users', '/api/audit-logs', '/health', '/.well-known/jwks.json']) {
      expect(
        served.some((route) => route.path.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    for (const route of served) {
      const name = `${route.method} ${route.path}`;
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${name} is missing from /api/docs/json`).toBeDefined();
      const statuses = Object.keys(operation!.responses);
      const success = statuses.find((status) => /^2\d\d$/.test(status));
      expect(success, `${name} documents no success response`).toBeDefined();
      // The events stream (API.md "Project events") answers Server-Sent Events, each message's data documented.
      if (operation!.responses[success!]!.content?.['text/event-stream']) {
        expect(operation!.responses[success!]!.content!['text/event-stream']!.schema.properties, name).toHaveProperty('reason');
        continue;
      }
      expect(operation!.responses[success!]!.content?.['application/json']?.schema, `${name} ${success}`).toBeDefined();
      if (route.path.startsWith('/api/')) {
        expect(
          operation!.responses[success!]!.content!['application/json']!.schema.properties,
          `${name} ${success} envelope`,
        ).toHaveProperty('success');
      }
    }
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(served.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('describes each request body: its fields, the required ones, and no others', () => {
    for (const route of ROUTES) {
      const operation = doc.paths[`/api/auth${route.path}`]![route.method]!;
      if (!route.body) {
        expect(operation.requestBody, route.path).toBeUndefined();
        continue;
      }
      const body = operation.requestBody!;
      expect(body, route.path).toBeDefined();
      expect(Object.keys(body.content)).toEqual(['application/json']);
      const schema = body.content['application/json']!.schema;
      expect(Object.keys(schema.properties ?? {}).sort(), route.path).toEqual([...route.body.fields].sort());
      expect([...(schema.required ?? [])].sort(), route.path).toEqual([...route.body.required].sort());
      expect(schema.additionalProperties, `${route.path} rejects unknown fields`).toBe(false);
      expect(body.required ?? false, `${route.path} body required`).toBe(!route.body.optional);
    }
    const resend = doc.paths['/api/auth/resend-otp']!.post!.requestBody!.content['application/json']!.schema.properties!.purpose;
    expect(resend).toMatchObject({ enum: ['REGISTRATION', 'ACCOUNT_ACTIVATION', 'FORGOT_PASSWORD'] });
  });

  it('marks the path parameter and the routes that need a Bearer token', () => {
    expect(doc.components?.securitySchemes).toHaveProperty('bearerAuth');
    for (const route of ROUTES) {
      const operation = doc.paths[`/api/auth${route.path}`]![route.method]!;
      const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path');
      expect(
        pathParams.map((p) => p.name),
        route.path,
      ).toEqual(route.pathParams ?? []);
      for (const param of pathParams) expect(param.required).toBe(true);
      expect(Boolean(operation.security?.some((s) => 'bearerAuth' in s)), `${route.path} bearer`).toBe(Boolean(route.bearer));
    }
  });

  it('is the same schema that validates: undocumented fields are refused, documented required ones are demanded', async () => {
    // Routes that need a token authenticate before they validate: they are called signed in.
    const { accessToken } = await registerSuperAdmin(t);
    for (const route of ROUTES.filter((r) => r.body)) {
      const response = await t.post(`/api/auth${route.path}`, { zzUndocumented: 1 }, route.bearer ? bearer(accessToken) : undefined);
      expect(response.statusCode, route.path).toBe(400);
      const fields = (response.json().error.details as Array<{ field: string }>).map((d) => d.field).sort();
      expect(fields, route.path).toEqual([...route.body!.required, 'zzUndocumented'].sort());
    }
  });

  it('serves the Swagger UI at /api/docs, with the assets it loads', async () => {
    let response = await t.get('/api/docs');
    if (response.statusCode >= 300 && response.statusCode < 400)
      response = await t.get(new URL(String(response.headers.location), 'http://localhost/api/docs').pathname);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toMatch(/swagger-ui/i);
    const assets = [...response.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((url) => !/^https?:/.test(url));
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const loaded = await t.get(new URL(asset, 'http://localhost/api/docs/').pathname);
      expect(loaded.statusCode, asset).toBe(200);
    }
    // Only Swagger UI's own assets are served: nothing else of its folder, nothing outside it.
    for (const path of [
      '/api/docs/static/package.json',
      '/api/docs/static/..%2fpackage.json',
      '/api/docs/static/__proto__',
      '/api/docs/static/%2e%2e%2f%2e%2e%2fpackage.json',
    ]) {
      expect((await t.get(path)).statusCode, path).toBe(404);
    }
    expect((await t.get('/api/docs/yaml')).body).toMatch(/^openapi: 3\.0\.3/m);
  });
});
