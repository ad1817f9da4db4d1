import { auth as c, messageEnvelope } from '@xtown/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { metaOf } from '../helpers.js';
import { refusingCommonPasswords } from '../password-policy.js';
import { route } from '../route.js';
import type { RouteDeps } from './deps.js';
import { signedIn } from './signed-in.js';

const tags = ['auth'];
const genericOtpMessage = 'If the address can receive this code, it has been sent';

/** The routes that need no token: registration, login, activation and the OTP flows. */
export const authPublicRoutes =
  (deps: RouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { auth } = deps;
    const answer = signedIn(deps);

    app.get(
      '/check-super-admin',
      // The dashboard asks on every load: outside every limit (API.md).
      route({
        access: 'public',
        limits: [],
        tags,
        summary: 'Whether a verified Super Admin exists',
        response: { 200: c.responses.checkSuperAdmin },
      }),
      async () => ({
        success: true as const,
        data: { exists: await auth.registration.superAdminExists() },
      }),
    );

    app.post(
      '/register',
      route({
        access: 'public',
        tags,
        summary: 'Register the first Super Admin (needs the setup token)',
        body: refusingCommonPasswords(c.registerBody, 'password'),
        response: { 201: c.responses.register },
        errors: [403, 409],
      }),
      async (request, reply) => {
        const result = await auth.registration.register(request.body, metaOf(request));
        reply.code(201);
        return {
          success: true as const,
          message: 'Registration started: enter the code sent by email',
          data: { email: result.email, otpExpiresAt: result.otpExpiresAt.toISOString() },
        };
      },
    );

    app.post(
      '/verify-registration-otp',
      route({
        access: 'public',
        limits: ['verification'],
        tags,
        summary: 'Verify the registration OTP and sign in',
        body: c.emailOtpBody,
        response: { 200: c.responses.loginPayload },
        errors: [401, 409],
      }),
      async (request, reply) =>
        answer(
          request,
          reply,
          await auth.registration.verify(request.body.email, request.body.otp, metaOf(request)),
          'Registration complete',
        ),
    );

    app.post(
      '/login',
      route({
        access: 'public',
        limits: ['login'],
        tags,
        summary: 'Sign in with email and password',
        body: c.loginBody,
        response: { 200: c.responses.loginPayload },
        errors: [401, 403],
      }),
      async (request, reply) =>
        answer(
          request,
          reply,
          await auth.login.login(request.body.email, request.body.password, metaOf(request), {
            trustedDevice: request.trustedDevice === true,
          }),
          'Signed in',
        ),
    );

    app.post(
      '/activate-account',
      route({
        access: 'public',
        limits: ['verification'],
        tags,
        summary: 'Activate an account created by an admin and choose a password',
        body: refusingCommonPasswords(c.activateBody, 'password'),
        response: { 200: c.responses.loginPayload },
        errors: [401, 403],
      }),
      async (request, reply) => {
        const { email, otp, password } = request.body;
        return answer(request, reply, await auth.otpFlows.activateAccount(email, otp, password, metaOf(request)), 'Account activated');
      },
    );

    app.post(
      '/resend-otp',
      route({
        access: 'public',
        limits: ['otp-request'],
        tags,
        summary: 'Send a new OTP',
        body: c.resendOtpBody,
        response: { 200: messageEnvelope },
      }),
      async (request) => {
        await auth.otpFlows.resendOtp(request.body.email, request.body.purpose, metaOf(request));
        return { success: true as const, message: genericOtpMessage };
      },
    );

    app.post(
      '/forgot-password',
      route({
        access: 'public',
        limits: ['otp-request'],
        tags,
        summary: 'Email a password-reset OTP',
        body: c.forgotPasswordBody,
        response: { 200: messageEnvelope },
      }),
      async (request) => {
        await auth.otpFlows.forgotPassword(request.body.email, metaOf(request));
        return { success: true as const, message: genericOtpMessage };
      },
    );

    app.post(
      '/reset-password',
      route({
        access: 'public',
        limits: ['verification'],
        tags,
        summary: 'Set a new password with the emailed OTP',
        body: refusingCommonPasswords(c.resetPasswordBody, 'newPassword'),
        response: { 200: messageEnvelope },
        errors: [401],
      }),
      async (request) => {
        const { email, otp, newPassword } = request.body;
        await auth.otpFlows.resetPassword(email, otp, newPassword, metaOf(request));
        return { success: true as const, message: 'Password reset: sign in with the new password' };
      },
    );
  };
