import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconMailForward } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import type { UserView } from '@xtown/contract';
import { describeError } from '../../api/describe';
import { isApiError } from '../../api/errors';
import { useApi } from '../../app/context';
import { useCountdown } from '../../components/ResendCode';
import { t } from '../../messages';

const a = t.users.actions;
/** The server's resend cooldown (API.md: one OTP per email per 60 s). */
const COOLDOWN = 60;

/** A fresh activation code for a user who has not activated; waits out the cooldown the server names (Retry-After). */
export function ResendActivationButton({ user }: { user: UserView }) {
  const api = useApi();
  const [left, start] = useCountdown();
  const resend = useMutation({
    mutationFn: () => api.users.resendActivation(user.id),
    onSuccess: () => {
      start(COOLDOWN);
      notifications.show({ color: 'teal', message: a.resent(user.email) });
    },
    onError: (error) => {
      if (isApiError(error) && error.status === 429) start(error.retryAfter ?? COOLDOWN);
      notifications.show({ color: 'red', title: a.resend, message: describeError(error) });
    },
  });
  return (
    <Button
      variant="default"
      leftSection={<IconMailForward size={16} aria-hidden />}
      onClick={() => resend.mutate()}
      loading={resend.isPending}
      disabled={left > 0}
    >
      {left > 0 ? a.resendIn(left) : a.resend}
    </Button>
  );
}
