import { Hono } from 'hono';
import { jwk } from 'hono/jwk';
import type { JwtVariables } from 'hono/jwt';
import { serveProtectedRoute, type VerifierSpec } from './types.js';

/**
 * Hono's built-in JWK middleware (hono/jwk) with `jwks_uri` and its `verification` options for iss and aud, the
 * app served through its fetch handler. It fetches the JWKS on every request (no cache of its own).
 */
export const hono: VerifierSpec = {
  name: 'hono/jwk',
  supports: ['ES256', 'EdDSA', 'RS256'],
  async create({ jwksUri, issuer, audience, algorithm }) {
    const app = new Hono<{ Variables: JwtVariables }>();
    app.use('/me', jwk({ jwks_uri: jwksUri, alg: [algorithm], verification: { iss: issuer, aud: audience } }));
    app.get('/me', (c) => c.json(c.get('jwtPayload')));
    // Node's http server in front of app.fetch: a Request in, the Response written back as it is.
    return serveProtectedRoute(async (req, res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
      const response = await app.fetch(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  },
};
