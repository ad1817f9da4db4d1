import { createAccount } from './auth/account.js';
import type { AuthFlowDeps } from './auth/deps.js';
import { createLogin } from './auth/login.js';
import { createOtpFlows } from './auth/otp-flows.js';
import { createProjectAccess } from './auth/project-access.js';
import { createRegistration } from './auth/registration.js';
import { createTokenValidation } from './auth/validate.js';
import { createAuthenticator } from './authenticator.js';

/** Wires the authentication services from their dependencies. */
export function createAuthServices(deps: AuthFlowDeps) {
  const authenticator = createAuthenticator(deps);
  return {
    authenticator,
    registration: createRegistration(deps),
    login: createLogin(deps),
    otpFlows: createOtpFlows(deps),
    account: createAccount(deps),
    projectAccess: createProjectAccess(deps),
    validation: createTokenValidation({ authenticator }),
    sessions: deps.sessions,
  };
}

export type AuthServices = ReturnType<typeof createAuthServices>;
