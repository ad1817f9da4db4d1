import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '@xtown/client/react';
import { passwordRuleProblem } from '@xtown/contract';
import { showAtFields } from '../../api/describe';
import { isApiError } from '../../api/errors';
import { useApi } from '../../app/context';
import { meKey } from '../../app/useMe';
import { FormError, useFormError } from '../../components/FormError';
import { PasswordField } from '../../components/PasswordField';
import { t } from '../../messages';
import { Card } from './Card';

const p = t.profile.password;

/**
 * The server ends every session of the user and answers with a fresh login payload: this tab takes it at once
 * (before the refetch that follows every change), so that it stays signed in while the others are signed out.
 */
export function ChangePasswordCard() {
  const api = useApi();
  const auth = useAuth();
  const queryClient = useQueryClient();
  const { error, setError, onSubmit } = useFormError();
  const change = useMutation({
    mutationFn: async ({ currentPassword, newPassword }: { currentPassword: string; newPassword: string }) => {
      const payload = (await api.auth.changePassword(currentPassword, newPassword)).data;
      // The refresh token in the payload is dropped: the httpOnly cookie the answer set carries it.
      auth.signIn({ accessToken: payload.accessToken, expiresIn: payload.expiresIn });
      queryClient.setQueryData(meKey, payload.user);
      return payload;
    },
  });
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', repeat: '' },
    validate: {
      currentPassword: (value) => (value ? null : p.currentRequired),
      newPassword: (value) => passwordRuleProblem(value),
      repeat: (value, values) => (value === values.newPassword ? null : p.mismatch),
    },
  });

  const submit = onSubmit(form, async ({ currentPassword, newPassword }) => {
    try {
      await change.mutateAsync({ currentPassword, newPassword });
      form.reset();
      notifications.show({ color: 'teal', message: p.done });
    } catch (failure) {
      // A wrong current password is INVALID_CREDENTIALS, whose usual sentence speaks of the email too.
      if (isApiError(failure) && failure.code === 'INVALID_CREDENTIALS') form.setFieldError('currentPassword', p.currentWrong);
      else setError(showAtFields(form, failure));
    }
  });

  return (
    <Card title={p.title} testId="change-password">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Alert color="blue" variant="light" role="note">
            {p.notice}
          </Alert>
          <PasswordInput label={p.current} autoComplete="current-password" required {...form.getInputProps('currentPassword')} />
          <PasswordField label={p.new} required {...form.getInputProps('newPassword')} value={form.values.newPassword} />
          <PasswordInput label={p.repeat} autoComplete="new-password" required {...form.getInputProps('repeat')} />
          <FormError>{error}</FormError>
          <Button type="submit" loading={change.isPending}>
            {p.submit}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}
