import { Alert, Anchor, Button, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { showAtFields } from '../../api/describe';
import { isApiError } from '../../api/errors';
import { useApi } from '../../app/context';
import type { SignInState } from '../../app/SessionGate';
import { useCompleteSignIn } from '../../auth/signIn';
import { AuthLayout } from '../../components/AuthLayout';
import { FormError, useFormError } from '../../components/FormError';
import { t } from '../../messages';

export function LoginPage() {
  const api = useApi();
  const complete = useCompleteSignIn();
  const [params] = useSearchParams();
  const reason = (useLocation().state as SignInState | null)?.reason;
  const { error, setError, onSubmit } = useFormError();
  const [notActivated, setNotActivated] = useState(false);
  const form = useForm({
    initialValues: { email: params.get('email') ?? '', password: '' },
    validate: {
      // Lenient: signing in checks the address against the accounts, whatever its shape.
      email: (value) => (/^\S+@\S+$/.test(value.trim()) ? null : t.auth.validation.email),
      password: (value) => (value ? null : t.auth.validation.password),
    },
  });

  const submit = onSubmit(form, async ({ email, password }) => {
    try {
      complete((await api.auth.login(email.trim(), password)).data);
    } catch (failure) {
      setNotActivated(isApiError(failure) && failure.code === 'ACCOUNT_NOT_ACTIVATED');
      setError(showAtFields(form, failure));
    }
  });

  const signedOutText = reason ? t.signedOutReasons[reason] : undefined;
  return (
    <AuthLayout title={t.auth.login.title} subtitle={t.auth.login.subtitle}>
      {signedOutText && (
        <Alert color="yellow" role="status" data-testid="signed-out-reason">
          {signedOutText}
        </Alert>
      )}
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput label={t.auth.email} type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <PasswordInput label={t.auth.password} autoComplete="current-password" required {...form.getInputProps('password')} />
          <FormError>
            {error}
            {error && notActivated && (
              <>
                {' '}
                <Anchor component={Link} to={`/activate?email=${encodeURIComponent(form.values.email.trim())}`}>
                  {t.auth.login.notActivated}
                </Anchor>
              </>
            )}
          </FormError>
          <Button type="submit" loading={form.submitting} fullWidth>
            {t.auth.login.submit}
          </Button>
          <Group justify="space-between">
            <Anchor component={Link} to="/reset-password" state={{ email: form.values.email.trim() }} size="sm">
              {t.auth.login.forgot}
            </Anchor>
            <Anchor component={Link} to="/activate" size="sm">
              {t.auth.login.activate}
            </Anchor>
          </Group>
        </Stack>
      </form>
    </AuthLayout>
  );
}
