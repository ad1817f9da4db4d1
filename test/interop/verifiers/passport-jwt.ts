import express from 'express';
import type { Algorithm } from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { serveProtectedRoute, type VerifierSpec } from './types.js';

/** passport-jwt's README strategy with jwks-rsa's passportJwtSecret, through passport.authenticate in Express. */
export const passportJwt: VerifierSpec = {
  name: 'passport-jwt',
  supports: ['ES256', 'RS256'],
  async create({ jwksUri, issuer, audience, algorithm }) {
    // An instance of its own, so each configuration has its own 'jwt' strategy.
    const authenticator = new passport.Passport();
    authenticator.use(
      new JwtStrategy(
        {
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          secretOrKeyProvider: jwksRsa.passportJwtSecret({ jwksUri, cache: true, rateLimit: true }),
          issuer,
          audience,
          algorithms: [algorithm as Algorithm],
        },
        (payload: Record<string, unknown>, done: (error: null, user: Record<string, unknown>) => void) => done(null, payload),
      ),
    );
    const app = express();
    app.use(authenticator.initialize());
    app.get('/me', authenticator.authenticate('jwt', { session: false }), (req, res) => {
      res.json(req.user);
    });
    return serveProtectedRoute(app);
  },
};
