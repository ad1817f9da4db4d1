import express, { type ErrorRequestHandler } from 'express';
import { expressjwt, type GetVerificationKey, type Request as JwtRequest } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import { serveProtectedRoute, type VerifierSpec } from './types.js';

/** express-jwt's README "Retrieve key dynamically" with jwks-rsa's expressJwtSecret, in a real Express app. */
export const expressJwt: VerifierSpec = {
  name: 'express-jwt',
  supports: ['ES256', 'RS256'],
  async create({ jwksUri, issuer, audience, algorithm }) {
    const app = express();
    app.get(
      '/me',
      expressjwt({
        secret: jwksRsa.expressJwtSecret({ jwksUri, cache: true, rateLimit: true }) as GetVerificationKey,
        audience,
        issuer,
        algorithms: [algorithm as 'ES256' | 'RS256'],
      }),
      (req: JwtRequest, res) => {
        res.json(req.auth);
      },
    );
    const refused: ErrorRequestHandler = (error: { status?: number; message: string }, _req, res, _next) => {
      res.status(error.status ?? 500).json({ error: error.message });
    };
    app.use(refused);
    return serveProtectedRoute(app);
  },
};
