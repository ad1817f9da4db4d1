import { AppError } from '../../errors/index.js';
import type { AuthFlowDeps } from '../auth/deps.js';
import { issueOtp, takeOtpBudget } from '../auth/otp-sending.js';
import type { RequestMeta } from '../../domain/ports.js';
import { assertInScope, findUser, loadActor, targetInScope, type Caller } from './users-scope.js';

export function createUserActivation(deps: AuthFlowDeps) {
  const { store, emails, audit } = deps;

  return {
    /**
     * Emails a fresh Account Activation OTP to a user who has not activated yet (the older code stops
     * working), under the same per-email budgets as resend-otp. Scope and state are judged first, so that
     * a refused call (404, 409) spends none of the user's budget.
     */
    async resendActivation(caller: Caller, id: number, meta: RequestMeta): Promise<void> {
      const actor = await loadActor(store.repos, caller);
      const target = await targetInScope(store.repos, actor, id);
      if (target.isActive) throw new AppError('ALREADY_ACTIVE');
      await takeOtpBudget(deps, target.email);
      await store.transaction(async (tx) => {
        // Again under the row's lock: an activation or a deletion that committed meanwhile wins, and no code follows it.
        const user = assertInScope(actor, await findUser(tx, id, true));
        if (user.isActive) throw new AppError('ALREADY_ACTIVE');
        await issueOtp(deps, tx, user.email, 'ACCOUNT_ACTIVATION', { name: user.name });
        await audit.record(
          {
            userId: actor.id,
            actorEmail: actor.email,
            targetUserId: user.id,
            action: 'USER_RESEND_ACTIVATION',
            resource: 'user',
            details: { purpose: 'ACCOUNT_ACTIVATION' },
            success: true,
          },
          meta,
          tx,
        );
      });
      emails.nudge();
    },
  };
}
