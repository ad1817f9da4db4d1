import type { SessionClient } from '@xtown/client';
import type {
  AuditLogView,
  auth,
  LoginPayload,
  OtpPurpose,
  ProjectStats,
  ProjectView,
  projects,
  UserStats,
  UserView,
  users,
} from '@xtown/contract';
import type { z } from 'zod';
import { type CallOptions, call, type Fetcher, type Query } from './http';

export type RegisterBody = z.input<typeof auth.registerBody>;
export type CreateProjectBody = z.input<typeof projects.createProjectBody>;
export type UpdateProjectBody = z.input<typeof projects.updateProjectBody>;
export type CreateAdminBody = z.input<typeof users.createProjectAdminBody>;
export type CreateSubUserBody = z.input<typeof users.createSubUserBody>;
export type UpdateUserBody = z.input<typeof users.updateUserBody>;
export type ProjectToken = z.infer<typeof auth.responses.projectToken>['data'];
export type CreatedProject = ProjectView & { clientSecret: string };
export interface RotatedSecret {
  clientSecret: string;
  previousSecretValidUntil?: string | null;
}
export interface ActivityDay {
  date: string;
  signIns: number;
  failedSignIns: number;
  lockouts: number;
  activeUsers: number;
}

const browserFetch: Fetcher = (input, init) => fetch(input, init);

/** Every call the dashboard makes, typed from the contract. Signed-in calls go through the session client. */
export function createApi(session: Pick<SessionClient, 'authorizedFetch'>) {
  const open = <T>(path: string, options?: CallOptions) => call<T>(browserFetch, path, options);
  const signedIn = <T>(path: string, options?: CallOptions) =>
    call<T>((input, init) => session.authorizedFetch(input, init), path, options);
  const post = (body: unknown = {}): CallOptions => ({ method: 'POST', body });
  const put = (body: unknown): CallOptions => ({ method: 'PUT', body });

  return {
    auth: {
      checkSuperAdmin: () => open<{ exists: boolean }>('/api/auth/check-super-admin'),
      register: (body: RegisterBody) => open<{ email: string; otpExpiresAt: string }>('/api/auth/register', post(body)),
      verifyRegistration: (email: string, otp: string) => open<LoginPayload>('/api/auth/verify-registration-otp', post({ email, otp })),
      login: (email: string, password: string) => open<LoginPayload>('/api/auth/login', post({ email, password })),
      activate: (email: string, otp: string, password: string) =>
        open<LoginPayload>('/api/auth/activate-account', post({ email, otp, password })),
      resendOtp: (email: string, purpose: OtpPurpose) => open<null>('/api/auth/resend-otp', post({ email, purpose })),
      forgotPassword: (email: string) => open<null>('/api/auth/forgot-password', post({ email })),
      resetPassword: (email: string, otp: string, newPassword: string) =>
        open<null>('/api/auth/reset-password', post({ email, otp, newPassword })),
      me: () => signedIn<UserView>('/api/auth/me'),
      changePassword: (currentPassword: string, newPassword: string) =>
        signedIn<LoginPayload>('/api/auth/change-password', post({ currentPassword, newPassword })),
      projectToken: (projectId: number | string) =>
        signedIn<ProjectToken>(`/api/auth/project-token/${encodeURIComponent(projectId)}`, post()),
    },
    projects: {
      list: (query?: Query) => signedIn<ProjectView[]>('/api/projects', { query }),
      get: (id: number | string) => signedIn<ProjectView>(`/api/projects/${encodeURIComponent(id)}`),
      stats: () => signedIn<ProjectStats>('/api/projects/stats'),
      create: (body: CreateProjectBody) => signedIn<CreatedProject>('/api/projects', post(body)),
      update: (id: number, body: UpdateProjectBody) => signedIn<ProjectView>(`/api/projects/${id}`, put(body)),
      rotateSecret: (id: number, body?: { graceHours?: number }) =>
        signedIn<RotatedSecret>(`/api/projects/${id}/rotate-secret`, post(body)),
      remove: (id: number) => signedIn<null>(`/api/projects/${id}`, { method: 'DELETE' }),
    },
    users: {
      list: (query?: Query) => signedIn<UserView[]>('/api/users', { query }),
      get: (id: number) => signedIn<UserView>(`/api/users/${id}`),
      stats: () => signedIn<UserStats>('/api/users/stats'),
      createAdmin: (body: CreateAdminBody) => signedIn<UserView>('/api/users/project-admin', post(body)),
      createSubUser: (body: CreateSubUserBody) => signedIn<UserView>('/api/users/sub-user', post(body)),
      update: (id: number, body: UpdateUserBody) => signedIn<UserView>(`/api/users/${id}`, put(body)),
      setProjects: (id: number, projectIds: number[]) => signedIn<UserView>(`/api/users/${id}/projects`, put({ projectIds })),
      suspend: (id: number, reason: string) => signedIn<UserView>(`/api/users/${id}/suspend`, post({ reason })),
      unsuspend: (id: number) => signedIn<UserView>(`/api/users/${id}/unsuspend`, post()),
      remove: (id: number, force = false) =>
        signedIn<{ deletedUserIds: number[] }>(`/api/users/${id}`, { method: 'DELETE', query: force ? { force: true } : undefined }),
      resendActivation: (id: number) => signedIn<null>(`/api/users/${id}/resend-activation`, post()),
    },
    audit: {
      list: (query?: Query) => signedIn<AuditLogView[]>('/api/audit-logs', { query }),
      stats: (days = 30, tz?: string) => signedIn<{ days: ActivityDay[] }>('/api/audit-logs/stats', { query: { days, tz } }),
    },
  };
}

export type Api = ReturnType<typeof createApi>;
