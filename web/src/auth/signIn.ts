import { useQueryClient } from '@tanstack/react-query';
import type { LoginPayload } from '@xtown/contract';
import { useAuth } from '@xtown/client/react';
import { useLocation, useNavigate } from 'react-router';
import { meKey } from '../app/useMe';
import { ownPath, type SignInState } from '../app/SessionGate';

/** Takes a login payload (login, verify-registration-otp, activate-account): the session, the user, then a path of our own. */
export function useCompleteSignIn() {
  const auth = useAuth();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  return (payload: LoginPayload) => {
    queryClient.setQueryData(meKey, payload.user);
    // The refresh token in the payload is dropped: the httpOnly cookie the answer set carries it.
    auth.signIn({ accessToken: payload.accessToken, expiresIn: payload.expiresIn });
    navigate(ownPath((location.state as SignInState | null)?.from), { replace: true });
  };
}
