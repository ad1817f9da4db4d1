import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import type { Authenticator } from '../../services/authenticator.js';
import type { Budgets } from '../budgets.js';
import type { DeviceCookies } from '../device-cookie.js';
import { bearerToken } from '../helpers.js';
import { UNDECLARED, type RouteRules } from '../route.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the login budget: the attempt comes from a browser that signed in to this account before. */
    trustedDevice?: boolean;
  }
}

interface AccessDeps {
  authenticator: Authenticator;
  budgets: Budgets;
  devices: DeviceCookies;
}

const rulesOf = (request: FastifyRequest): RouteRules => request.routeOptions.config?.rules ?? UNDECLARED;

/**
 * Enforces each route's declaration (http/route.ts). At onRequest: the general budget and the OTP-request
 * budget, and for `user` routes the one authentication step and the roles, before the body is parsed. Once
 * the body is valid: the login and verification failure budgets, which are keyed by what it holds. The
 * backends' and refresh's budgets need what the handler verifies; they call Budgets themselves.
 */
export function registerAccess(app: FastifyInstance, deps: AccessDeps) {
  const { budgets, devices } = deps;
  const address = budgets.address;

  app.addHook('onRequest', async (request) => {
    const route = rulesOf(request);
    if (route.limits.includes('otp-request')) await budgets.enforce(request, 'otpRequestsByIp', address(request));
    if (route.access === 'user') return authenticate(request, route);
    if (route.limits.includes('general')) await budgets.enforce(request, 'generalByIp', address(request));
  });

  // A signed-in caller's general budget is its own, not its office's address; a refused token counts per IP.
  async function authenticate(request: FastifyRequest, route: RouteRules) {
    const general = route.limits.includes('general');
    const token = bearerToken(request);
    try {
      if (!token) throw new AppError('UNAUTHENTICATED');
      request.principal = await deps.authenticator.authenticate(token, 'ACCESS');
    } catch (error) {
      if (general) await budgets.enforce(request, 'generalByIp', address(request));
      throw error;
    }
    if (general) await budgets.enforce(request, 'generalByUser', String(request.principal.userId));
    if (route.roles && !route.roles.includes(request.principal.role)) throw new AppError('FORBIDDEN');
  }

  const verification = (request: FastifyRequest) => budgets.takeFailure(request, 'otpFailuresByIp', address(request));

  /**
   * API.md's device cookies: an attempt from a browser that signed in to the account before is judged on
   * that browser's own failures, not on its address's nor on the account's lockout, so that neither a
   * guesser behind the same address nor one who locked the account out keeps its owner out of it. A device
   * that used up its own budget is judged as any other browser.
   */
  async function login(request: FastifyRequest) {
    const email = (request.body as { email: string }).email;
    const device = devices.trusted(request, email);
    if (device && (await budgets.tryTakeFailure(request, 'loginFailuresByDevice', device))) {
      request.trustedDevice = true;
      return;
    }
    await budgets.enforce(request, 'loginByIpAndEmail', `${address(request)}:${email}`);
    await budgets.takeFailure(request, 'loginFailuresByIp', address(request));
  }

  // Only the routes that declare these budgets get the hook: the others (validate-token) run no extra step.
  app.addHook('onRoute', (options) => {
    const limits = options.config?.rules?.limits ?? [];
    const hooks = [...(limits.includes('verification') ? [verification] : []), ...(limits.includes('login') ? [login] : [])];
    if (hooks.length) options.preHandler = [...[options.preHandler ?? []].flat(), ...hooks];
  });
}
