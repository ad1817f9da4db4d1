import { z } from 'zod';
import { successEnvelope } from './envelopes.js';
import { email, isoDate, opaque, otp, optionalText, password, presentedPassword, projectRef, text } from './primitives.js';
import { projectSummary, userView } from './views.js';

export const otpPurpose = z.enum(['REGISTRATION', 'ACCOUNT_ACTIVATION', 'FORGOT_PASSWORD']);

/** A project id may arrive as a JSON number or string; it is handled as a string reference. */
const projectIdField = z.union([z.number().int().positive().transform(String), projectRef]);

export const registerBody = z.strictObject({
  setupToken: opaque(200),
  name: text(255),
  email,
  password,
  companyName: optionalText(255),
  companyAddress: optionalText(1000),
  companyPhone: optionalText(30),
});

export const emailOtpBody = z.strictObject({ email, otp });
export const loginBody = z.strictObject({ email, password: presentedPassword });
export const activateBody = z.strictObject({ email, otp, password });
export const resendOtpBody = z.strictObject({ email, purpose: otpPurpose });
export const forgotPasswordBody = z.strictObject({ email });
export const resetPasswordBody = z.strictObject({ email, otp, newPassword: password });
export const refreshBody = z.strictObject({ refreshToken: opaque(200).optional() }).nullish();
export const logoutBody = z.strictObject({ refreshToken: opaque(200).optional(), allDevices: z.boolean().optional() }).nullish();
export const validateBody = z.strictObject({ token: opaque(8192).optional(), projectId: projectIdField.optional() }).nullish();
export const projectTokenParams = z.strictObject({ projectId: projectRef });
export const exchangeBody = z.strictObject({ code: opaque(200), projectId: projectIdField, clientSecret: opaque(200) });
export const changePasswordBody = z.strictObject({ currentPassword: presentedPassword, newPassword: password });

export const loginPayload = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int(),
  refreshExpiresIn: z.number().int(),
  user: userView,
});

export const projectRefView = z.object({ id: z.number().int(), customProjectId: z.string(), name: z.string(), projectUrl: z.string() });

/** The user as a token carries it (the seed's payload), as validate-token returns it. */
export const tokenUserView = userView
  .pick({
    id: true,
    email: true,
    name: true,
    role: true,
    customRole: true,
    companyName: true,
    companyAddress: true,
    companyPhone: true,
    isActive: true,
    isSuspended: true,
    createdAt: true,
  })
  .extend({ projects: z.array(projectSummary.partial({ icon: true })) });

export const responses = {
  checkSuperAdmin: successEnvelope(z.object({ exists: z.boolean() })),
  register: successEnvelope(z.object({ email: z.string(), otpExpiresAt: isoDate })),
  loginPayload: successEnvelope(loginPayload),
  refresh: successEnvelope(z.object({ accessToken: z.string(), refreshToken: z.string(), expiresIn: z.number().int() })),
  validate: successEnvelope(
    z.object({
      valid: z.literal(true),
      tokenType: z.enum(['ACCESS', 'PROJECT_ACCESS']),
      user: tokenUserView,
      project: projectRefView.nullable(),
      expiresAt: isoDate,
    }),
  ),
  projectToken: successEnvelope(
    z.object({ projectToken: z.string(), expiresIn: z.number().int(), project: projectRefView, redirectUrl: z.string() }),
  ),
  exchange: successEnvelope(z.object({ projectToken: z.string(), expiresIn: z.number().int(), user: userView, project: projectRefView })),
  me: successEnvelope(userView),
};
