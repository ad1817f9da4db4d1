import { expressAuth, isVerifyError, type Verifier, type XtownUser } from '@xtown/verify';
import express, { type NextFunction, type Request, type Response } from 'express';
import { PAGE_SCRIPT, signedInPage, signedOutPage } from './pages.js';
import { cookieValue, createSessionStore, type SessionStore } from './sessions.js';

declare global {
  namespace Express {
    interface Request {
      xtownUser?: XtownUser;
    }
  }
}

export interface ProjectAppOptions {
  /** The kit, configured with the hub's PUBLIC_URL, this project's customProjectId and its client secret. */
  xtown: Verifier;
  /** Where a signed-out visitor is sent: the hub's dashboard. */
  hubUrl: string;
  sessions?: SessionStore;
  /** Mark the session cookie Secure (behind https). */
  secureCookies?: boolean;
}

const COOKIE = 'project_session';

/** Why a token was refused, for people. */
const REASONS: Record<string, string> = {
  TOKEN_REVOKED: 'Your access to this project was revoked.',
  TOKEN_EXPIRED: 'Your session has expired.',
  TOKEN_INVALID: 'Your session is no longer valid.',
  SERVICE_UNAVAILABLE: 'The sign-in service cannot be reached; try again shortly.',
};

/**
 * A project that trusts the Xtown Authenticator: it is opened from the hub with `?xtown_code=`, exchanges the
 * code for a project token on the server, keeps it in its own session (the browser holds an httpOnly cookie
 * only), and checks the token on every request, so a revocation in the hub reaches it within a second.
 */
export function createProjectApp({ xtown, hubUrl, sessions = createSessionStore(), secureCookies = false }: ProjectAppOptions) {
  const app = express();
  app.disable('x-powered-by');
  const sessionId = (req: Request) => cookieValue(req.headers.cookie, COOKIE);
  const setCookie = (res: Response, value: string, maxAgeSec: number) =>
    res.append('Set-Cookie', `${COOKIE}=${value}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAgeSec}${secureCookies ? '; Secure' : ''}`);
  const endSession = (req: Request, res: Response) => {
    sessions.delete(sessionId(req));
    setCookie(res, '', 0);
  };

  app.get('/', async (req, res) => {
    const code = typeof req.query.xtown_code === 'string' ? req.query.xtown_code : undefined;
    if (code) {
      try {
        const { projectToken, expiresIn } = await xtown.exchangeCode(code);
        sessions.delete(sessionId(req));
        setCookie(res, sessions.create({ projectToken, expiresAt: Date.now() + expiresIn * 1000 }), expiresIn);
        // Drop the code from the address bar (it is single use anyway).
        return res.redirect(303, '/');
      } catch (error) {
        if (!isVerifyError(error)) throw error;
        return res.status(401).type('html').send(signedOutPage(hubUrl, 'That sign-in link has expired or was already used.'));
      }
    }
    const session = sessions.get(sessionId(req));
    if (!session) return res.type('html').send(signedOutPage(hubUrl));
    try {
      return res.type('html').send(signedInPage(await xtown.verify(session.projectToken)));
    } catch (error) {
      if (!isVerifyError(error)) throw error;
      endSession(req, res);
      return res
        .status(error.status)
        .type('html')
        .send(signedOutPage(hubUrl, REASONS[error.code] ?? error.message));
    }
  });

  app.get('/app.js', (_req, res) => res.type('js').send(PAGE_SCRIPT));

  app.post('/logout', (req, res) => {
    endSession(req, res);
    res.redirect(303, '/');
  });

  // The protected API: a caller presents the project token as a Bearer token; the page's own calls carry the
  // session cookie instead, which is turned into the session's token here.
  const sessionAsBearer = (req: Request, _res: Response, next: NextFunction) => {
    const session = req.headers.authorization ? undefined : sessions.get(sessionId(req));
    if (session) req.headers.authorization = `Bearer ${session.projectToken}`;
    next();
  };
  app.use('/api', sessionAsBearer, expressAuth(xtown));
  app.get('/api/profile', (req, res) => {
    const user = req.xtownUser!;
    res.json({ id: user.id, name: user.name, email: user.email, role: user.role, project: user.project });
  });

  app.get('/healthz', (_req, res) => res.json(xtown.health()));
  return app;
}
