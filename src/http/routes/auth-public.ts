import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { messageEnvelope, errors } from '../schemas/common.js';
import * as s from '../schemas/auth.js';
import { enforce } from '../plugins/limits.js';
import { present } from '../present.js';
import type { RequestMeta } from '../../services/ports.js';
import type { LoginPayload } from '../../services/sessions.js';
import type { RouteDeps } from './deps.js';

export const REFRESH_COOKIE = 'xtown_refresh';

export const metaOf = (request: FastifyRequest): RequestMeta => ({ ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 1000) ?? null, reqId: request.id });

/** Every response that carries a refresh token also sets it as the httpOnly cookie the dashboard relies on. */
export function withRefreshCookie(reply: FastifyReply, deps: RouteDeps, payload: { refreshToken: string; refreshExpiresIn: number }) {
  reply.setCookie(REFRESH_COOKIE, payload.refreshToken, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/api/auth',
    secure: deps.config.isProduction,
    maxAge: payload.refreshExpiresIn,
  });
}

export const loginAnswer = (reply: FastifyReply, deps: RouteDeps, payload: LoginPayload, message: string) => {
  withRefreshCookie(reply, deps, payload);
  return { success: true as const, message, data: present(payload) as never };
};

/** The routes that need no token: registration, login, activation and the OTP flows. */
export const authPublicRoutes = (deps: RouteDeps): FastifyPluginAsyncZod => async (app) => {
  const { auth, limiter, rules } = deps;
  const verificationLimit = (request: FastifyRequest) => enforce(limiter, `verify:${request.ip}`, rules.verification, request.log);
  const tags = ['auth'];

  app.get('/check-super-admin', { schema: { tags, summary: 'Whether a verified Super Admin exists', response: { 200: s.responses.checkSuperAdmin } } }, async () => ({
    success: true as const,
    data: { exists: await auth.registration.superAdminExists() },
  }));

  app.post('/register', { schema: { tags, summary: 'Register the first Super Admin (needs the setup token)', body: s.registerBody, response: { 201: s.responses.register, ...errors(400, 403, 409, 429) } } }, async (request, reply) => {
    const result = await auth.registration.register(request.body, metaOf(request));
    reply.code(201);
    return { success: true as const, message: 'Registration started: enter the code sent by email', data: { email: result.email, otpExpiresAt: result.otpExpiresAt.toISOString() } };
  });

  app.post('/verify-registration-otp', { schema: { tags, summary: 'Verify the registration OTP and sign in', body: s.emailOtpBody, response: { 200: s.responses.loginPayload, ...errors(400, 401, 409, 429) } } }, async (request, reply) => {
    await verificationLimit(request);
    const payload = await auth.registration.verify(request.body.email, request.body.otp, metaOf(request));
    return loginAnswer(reply, deps, payload, 'Registration complete');
  });

  app.post('/login', { schema: { tags, summary: 'Sign in with email and password', body: s.loginBody, response: { 200: s.responses.loginPayload, ...errors(400, 401, 403, 429) } } }, async (request, reply) => {
    const { email, password } = request.body;
    await enforce(limiter, `login-ip:${request.ip}`, rules.loginByIp, request.log);
    await enforce(limiter, `login:${request.ip}:${email}`, rules.loginByIpAndEmail, request.log);
    const payload = await auth.login.login(email, password, metaOf(request));
    return loginAnswer(reply, deps, payload, 'Signed in');
  });

  app.post('/activate-account', { schema: { tags, summary: 'Activate an account created by an admin and choose a password', body: s.activateBody, response: { 200: s.responses.loginPayload, ...errors(400, 401, 403, 429) } } }, async (request, reply) => {
    await verificationLimit(request);
    const { email, otp, password } = request.body;
    const payload = await auth.otpFlows.activateAccount(email, otp, password, metaOf(request));
    return loginAnswer(reply, deps, payload, 'Account activated');
  });

  const genericOtpMessage = 'If the address can receive this code, it has been sent';

  app.post('/resend-otp', { schema: { tags, summary: 'Send a new OTP', body: s.resendOtpBody, response: { 200: messageEnvelope, ...errors(400, 429) } } }, async (request) => {
    await auth.otpFlows.resendOtp(request.body.email, request.body.purpose, metaOf(request));
    return { success: true as const, message: genericOtpMessage };
  });

  app.post('/forgot-password', { schema: { tags, summary: 'Email a password-reset OTP', body: s.forgotPasswordBody, response: { 200: messageEnvelope, ...errors(400, 429) } } }, async (request) => {
    await auth.otpFlows.forgotPassword(request.body.email, metaOf(request));
    return { success: true as const, message: genericOtpMessage };
  });

  app.post('/reset-password', { schema: { tags, summary: 'Set a new password with the emailed OTP', body: s.resetPasswordBody, response: { 200: messageEnvelope, ...errors(400, 401, 429) } } }, async (request) => {
    await verificationLimit(request);
    const { email, otp, newPassword } = request.body;
    await auth.otpFlows.resetPassword(email, otp, newPassword, metaOf(request));
    return { success: true as const, message: 'Password reset: sign in with the new password' };
  });
};
