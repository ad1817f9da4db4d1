import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import {
  bearer,
  buildTestApp,
  login,
  otpFor,
  registerSuperAdmin,
  SETUP_TOKEN,
  STRONG_PASSWORD,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { exchange, openProject, send, validateFor } from './projects-fixture.js';
import { me, validate } from './tokens-fixture.js';
import { auditRows, openDb } from './users-fixture.js';

/**
 * The whole administration story of issue 3, through HTTP only: registration, projects, a Project
 * Admin and its Sub Users, a project sign-in through code exchange, a suspension, and what the
 * statistics and the audit log say about it afterwards.
 */
describe(`the administration story (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let db: Database;
  beforeEach(async () => {
    t = await buildTestApp();
    db = await openDb(t);
  });
  afterEach(async () => {
    await db.destroy();
    await t.close();
  });

  /** Every password, OTP, token, code and client secret the story handles; none may reach the audit log. */
  const secrets = new Set<string>();
  const keep = <T extends string>(value: T): T => {
    secrets.add(value);
    return value;
  };
  const keepSession = (session: Session) => {
    keep(session.accessToken);
    keep(session.refreshToken);
    return session;
  };
  const step = () => t.clock.advance(1000);
  /** A numeric secret (an OTP) counts only as a whole number: six digits also occur inside timestamps. */
  const holds = (text: string, secret: string) =>
    /^\d+$/.test(secret) ? new RegExp(`(?<!\\d)${secret}(?!\\d)`).test(text) : text.includes(secret);

  it('plays from registration to suspension, and the statistics and audit log show exactly that', async () => {
    secrets.clear();
    keep(SETUP_TOKEN);

    // 1. The Super Admin registers with the setup token and verifies the emailed OTP.
    const registering = t.mailer.mark();
    const root = keepSession(await registerSuperAdmin(t, 'root@acme.test', keep(STRONG_PASSWORD)));
    keep(await otpFor(t, 'root@acme.test', registering, /registration/i));
    const rootAuth = bearer(root.accessToken);
    expect(root.user.role).toBe('SUPER_ADMIN');

    // 2. Two projects; each client secret is shown once.
    step();
    const createProject = async (customProjectId: string, name: string) => {
      const response = await send(t, 'POST', '/api/projects', root.accessToken, {
        customProjectId,
        name,
        projectUrl: `https://${customProjectId}.acme.test/app`,
      });
      expect(response.statusCode, response.body).toBe(201);
      const data = response.json().data as { id: number; clientSecret: string };
      return { id: data.id, customProjectId, clientSecret: keep(data.clientSecret) };
    };
    const crm = await createProject('crm', 'CRM');
    step();
    const wiki = await createProject('wiki', 'Wiki');

    // 3. A Project Admin with one of them and room for two Sub Users.
    step();
    const creatingAdmin = t.mailer.mark();
    const createdAdmin = await send(t, 'POST', '/api/users/project-admin', root.accessToken, {
      name: 'Alice Admin',
      email: 'alice@acme.test',
      companyName: 'Acme',
      companyAddress: '1 Main St',
      companyPhone: '+15550100',
      subUserLimit: 2,
      projectIds: [crm.id],
    });
    expect(createdAdmin.statusCode, createdAdmin.body).toBe(201);
    const adminId = createdAdmin.json().data.id as number;
    expect(createdAdmin.json().data).toMatchObject({
      role: 'ADMIN',
      isActive: false,
      subUserLimit: 2,
      createdById: root.user.id,
      projects: [{ id: crm.id }],
    });

    // 4. The Admin activates from the ACCOUNT_ACTIVATION email and chooses its password.
    step();
    const adminPassword = keep('Alice-Adm1n-Passphrase');
    const adminOtp = keep(await otpFor(t, 'alice@acme.test', creatingAdmin, /activate/i));
    const activatedAdmin = await t.post('/api/auth/activate-account', { email: 'alice@acme.test', otp: adminOtp, password: adminPassword });
    expect(activatedAdmin.statusCode, activatedAdmin.body).toBe(200);
    const admin = keepSession(activatedAdmin.json().data as Session);
    expect(admin.user).toMatchObject({ id: adminId, isActive: true });
    await t.mailer.waitFor((m) => m.to === 'alice@acme.test' && /welcome/i.test(m.subject));

    // 5. Sub Users up to the limit, with the Admin's project; the next one is refused.
    const createSub = (name: string, email: string) =>
      send(t, 'POST', '/api/users/sub-user', admin.accessToken, { name, email, projectIds: ['crm'] });
    const creatingSubs = t.mailer.mark();
    step();
    const sub1 = await createSub('Carol Sub', 'carol@acme.test');
    expect(sub1.statusCode, sub1.body).toBe(201);
    step();
    const sub2 = await createSub('Dave Sub', 'dave@acme.test');
    expect(sub2.statusCode, sub2.body).toBe(201);
    const [sub1Id, sub2Id] = [sub1.json().data.id as number, sub2.json().data.id as number];
    expect(sub1.json().data).toMatchObject({
      role: 'SUB_USER',
      createdById: adminId,
      companyName: 'Acme',
      companyPhone: '+15550100',
      projects: [{ id: crm.id }],
    });
    step();
    const third = await createSub('Erin Sub', 'erin@acme.test');
    expect(third.statusCode).toBe(403);
    expect(third.json().error.code).toBe('SUB_USER_LIMIT_REACHED');
    keep(await otpFor(t, 'dave@acme.test', creatingSubs, /activate/i));
    expect(t.mailer.sent.some((m) => m.to === 'erin@acme.test')).toBe(false);

    // 6. A Sub User activates, mistypes its password once, then signs in.
    step();
    const subPassword = keep('Carol-Sub-Passphrase-9');
    const subOtp = keep(await otpFor(t, 'carol@acme.test', creatingSubs, /activate/i));
    const activatedSub = await t.post('/api/auth/activate-account', { email: 'carol@acme.test', otp: subOtp, password: subPassword });
    expect(activatedSub.statusCode, activatedSub.body).toBe(200);
    keepSession(activatedSub.json().data as Session);
    step();
    const typo = await t.post('/api/auth/login', { email: 'carol@acme.test', password: keep('Carol-Sub-Passphrase-8') });
    expect(typo.statusCode).toBe(401);
    const sub = keepSession(await login(t, 'carol@acme.test', subPassword));

    // 7. It opens its project; the project's backend exchanges the code and validates the token.
    step();
    const opened = await t.post('/api/auth/project-token/crm', undefined, bearer(sub.accessToken));
    expect(opened.statusCode, opened.body).toBe(200);
    const redirectUrl = new URL(opened.json().data.redirectUrl as string);
    expect(`${redirectUrl.origin}${redirectUrl.pathname}`).toBe('https://crm.acme.test/app');
    const subProjectToken = keep(opened.json().data.projectToken as string);
    const code = keep(redirectUrl.searchParams.get('xtown_code')!);
    const exchanged = await exchange(t, code, 'crm', crm.clientSecret);
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    const exchangedToken = keep(exchanged.json().data.projectToken as string);
    expect(exchanged.json().data).toMatchObject({ user: { id: sub1Id }, project: { id: crm.id, customProjectId: 'crm' } });
    expect((await exchange(t, code, 'crm', crm.clientSecret)).statusCode).toBe(401);
    const validated = await validateFor(t, exchangedToken, 'crm');
    expect(validated.statusCode, validated.body).toBe(200);
    expect(validated.json().data).toMatchObject({
      valid: true,
      tokenType: 'PROJECT_ACCESS',
      user: { id: sub1Id, role: 'SUB_USER' },
      project: { id: crm.id },
    });
    expect(validated.json().data.user.projects.map((p: { id: number }) => p.id)).toEqual([crm.id]);
    expect((await validateFor(t, exchangedToken, 'wiki')).statusCode).toBe(401);

    // The Admin opens the project too, and reads its scoped statistics while it still can.
    step();
    const adminProject = await openProject(t, admin.accessToken, 'crm');
    keep(adminProject.projectToken);
    keep(adminProject.code);
    const adminUserStats = (await send(t, 'GET', '/api/users/stats', admin.accessToken)).json().data;
    expect(adminUserStats).toMatchObject({ totalUsers: 2, projectAdmins: 0, subUsers: 2, verifiedUsers: 1, unverifiedUsers: 1 });
    expect(adminUserStats.systemOverview.map((d: { value: number }) => d.value)).toEqual([2, 1]);
    expect((await send(t, 'GET', '/api/projects/stats', admin.accessToken)).json().data).toEqual({
      totalProjects: 1,
      activeProjects: 1,
      inactiveProjects: 0,
      projectsByUser: { [adminId]: 1, [sub1Id]: 1, [sub2Id]: 1 },
    });

    // 8. The Super Admin suspends the Admin: its tokens stop at once, its Sub Users keep working.
    step();
    const suspended = await t.post(`/api/users/${adminId}/suspend`, { reason: 'Contract ended' }, rootAuth);
    expect(suspended.statusCode, suspended.body).toBe(200);
    expect(suspended.json().data).toMatchObject({
      isSuspended: true,
      suspendedBy: root.user.id,
      suspensionReason: 'Contract ended',
      suspendedAt: t.clock.now().toISOString(),
    });

    const dead = await validate(t, admin.accessToken);
    expect(dead.statusCode).toBe(401);
    expect(dead.json().data).toEqual({ valid: false });
    expect((await me(t, admin.accessToken)).statusCode).toBe(401);
    expect((await validateFor(t, adminProject.projectToken, 'crm')).statusCode).toBe(401);
    const refused = await t.post('/api/auth/refresh-token', { refreshToken: admin.refreshToken });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'ACCOUNT_SUSPENDED']);
    expect((await send(t, 'GET', '/api/users', admin.accessToken)).statusCode).toBe(401);
    const retry = await t.post('/api/auth/login', { email: 'alice@acme.test', password: adminPassword });
    expect(retry.statusCode).toBe(403);
    expect(retry.json().error.code).toBe('ACCOUNT_SUSPENDED');
    const notice = await t.mailer.waitFor((m) => m.to === 'alice@acme.test' && /suspended/i.test(m.subject));
    expect(notice.text).toContain('Contract ended');

    expect((await validate(t, sub.accessToken)).statusCode).toBe(200);
    expect((await me(t, sub.accessToken)).json().data).toMatchObject({ id: sub1Id, isSuspended: false });
    expect((await validateFor(t, subProjectToken, 'crm')).statusCode).toBe(200);
    expect((await validateFor(t, exchangedToken, 'crm')).statusCode).toBe(200);
    step();
    keep((await openProject(t, sub.accessToken, 'crm')).projectToken);

    // 9. The statistics count exactly what happened.
    const userStats = await send(t, 'GET', '/api/users/stats', root.accessToken);
    expect(userStats.statusCode).toBe(200);
    const us = userStats.json().data;
    expect(us).toMatchObject({ totalUsers: 3, projectAdmins: 1, subUsers: 2, verifiedUsers: 2, unverifiedUsers: 1 });
    expect(us.recentUsers.map((u: { id: number; isActive: boolean }) => [u.id, u.isActive])).toEqual([
      [sub2Id, false],
      [sub1Id, true],
      [adminId, true],
    ]);
    expect(us.systemOverview).toEqual([
      { name: 'Users', value: 3, color: '#3B82F6' },
      { name: 'Projects', value: 2, color: '#10B981' },
      { name: 'Companies', value: 1, color: '#F59E0B' },
    ]);
    expect(us.verification).toEqual([
      { name: 'Verified', value: 2, color: '#10B981' },
      { name: 'Unverified', value: 1, color: '#F59E0B' },
    ]);
    const projectStats = await send(t, 'GET', '/api/projects/stats', root.accessToken);
    expect(projectStats.json().data).toEqual({
      totalProjects: 2,
      activeProjects: 2,
      inactiveProjects: 0,
      projectsByUser: { [adminId]: 1, [sub1Id]: 1, [sub2Id]: 1 },
    });
    const projects = (await send(t, 'GET', '/api/projects', root.accessToken)).json().data as Array<{
      customProjectId: string;
      assignedUsers: number;
    }>;
    expect(projects.map((p) => [p.customProjectId, p.assignedUsers])).toEqual([
      ['wiki', 0],
      ['crm', 3],
    ]);

    // 10. The audit log tells the story, with the right actors and targets, in order.
    const log = await send(t, 'GET', '/api/audit-logs?limit=100', root.accessToken);
    expect(log.statusCode).toBe(200);
    const rows = (log.json().data as Array<Record<string, unknown>>).slice().reverse();
    const R = root.user.id;
    const story = rows.map((r) => [r.action, r.userId, r.actorEmail, r.targetUserId, r.projectId, r.success]);
    expect(story).toEqual([
      ['REGISTER', R, 'root@acme.test', R, null, true],
      ['VERIFY_REGISTRATION', R, 'root@acme.test', R, null, true],
      ['PROJECT_CREATE', R, 'root@acme.test', null, crm.id, true],
      ['PROJECT_CREATE', R, 'root@acme.test', null, wiki.id, true],
      ['USER_CREATE', R, 'root@acme.test', adminId, null, true],
      ['ACCOUNT_ACTIVATED', adminId, 'alice@acme.test', adminId, null, true],
      ['USER_CREATE', adminId, 'alice@acme.test', sub1Id, null, true],
      ['USER_CREATE', adminId, 'alice@acme.test', sub2Id, null, true],
      ['ACCOUNT_ACTIVATED', sub1Id, 'carol@acme.test', sub1Id, null, true],
      ['LOGIN_FAILED', sub1Id, 'carol@acme.test', sub1Id, null, false],
      ['LOGIN', sub1Id, 'carol@acme.test', sub1Id, null, true],
      ['PROJECT_TOKEN', sub1Id, 'carol@acme.test', null, crm.id, true],
      ['CODE_EXCHANGE', sub1Id, 'carol@acme.test', null, crm.id, true],
      ['CODE_EXCHANGE', null, null, null, crm.id, false],
      ['PROJECT_TOKEN', adminId, 'alice@acme.test', null, crm.id, true],
      ['USER_SUSPEND', R, 'root@acme.test', adminId, null, true],
      ['LOGIN_FAILED', adminId, 'alice@acme.test', adminId, null, false],
      ['PROJECT_TOKEN', sub1Id, 'carol@acme.test', null, crm.id, true],
    ]);
    const byAction = (action: string) => rows.filter((r) => r.action === action);
    expect(byAction('USER_CREATE').map((r) => r.details)).toEqual([
      { role: 'ADMIN', email: 'alice@acme.test', projectIds: [crm.id] },
      { role: 'SUB_USER', email: 'carol@acme.test', projectIds: [crm.id] },
      { role: 'SUB_USER', email: 'dave@acme.test', projectIds: [crm.id] },
    ]);
    expect(byAction('USER_SUSPEND')[0]!.details).toEqual({ reason: 'Contract ended', sessionsRevoked: 1 });
    expect(byAction('LOGIN_FAILED').map((r) => (r.details as { reason: string }).reason)).toEqual(['wrong_password', 'suspended']);
    expect(rows.every((r) => r.ipAddress === '127.0.0.1')).toBe(true);
    expect(new Set(rows.map((r) => r.createdAt)).size).toBeGreaterThan(8);

    // No secret in any row, neither as the API shows it nor as stored; nor in the logs.
    const stored = JSON.stringify(await auditRows(db));
    const shown = JSON.stringify(rows);
    expect(secrets.size).toBeGreaterThanOrEqual(24);
    for (const secret of secrets) {
      expect(holds(shown, secret), `audit rows (API) hold a secret: ${secret.slice(0, 12)}…`).toBe(false);
      expect(holds(stored, secret), `audit rows (DB) hold a secret: ${secret.slice(0, 12)}…`).toBe(false);
      expect(
        t.rawLogs.some((line) => holds(line, secret)),
        `logs hold a secret: ${secret.slice(0, 12)}…`,
      ).toBe(false);
    }
  });
});
