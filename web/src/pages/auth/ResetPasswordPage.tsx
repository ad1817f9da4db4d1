import { Alert, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { passwordRuleProblem } from '@xtown/contract';
import { useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { showAtFields } from '../../api/describe';
import { useApi } from '../../app/context';
import { AuthLayout } from '../../components/AuthLayout';
import { FormError, useFormError } from '../../components/FormError';
import { OtpField } from '../../components/OtpField';
import { PasswordField } from '../../components/PasswordField';
import { ResendCode } from '../../components/ResendCode';
import { t } from '../../messages';
import { validate } from '../../auth/validate';

const r = t.auth.reset;

/** Forgot password (ask for a code), then `/reset-password?email=…` (the email links here): the code and a new password. */
export default function ResetPasswordPage() {
  const [params, setParams] = useSearchParams();
  const email = params.get('email');
  const [justSent, setJustSent] = useState(false);
  const [done, setDone] = useState(false);

  if (done && email)
    return (
      <AuthLayout title={r.title}>
        <Alert color="teal" role="status">
          {r.done}
        </Alert>
        <Button component={Link} to={`/login?email=${encodeURIComponent(email)}`}>
          {t.auth.login.submit}
        </Button>
      </AuthLayout>
    );
  if (!email)
    return (
      <RequestCode
        onSent={(address) => {
          setJustSent(true);
          setParams({ email: address });
        }}
      />
    );
  return <SetPassword email={email} justSent={justSent} onDone={() => setDone(true)} onOtherEmail={() => setParams({})} />;
}

function RequestCode({ onSent }: { onSent: (email: string) => void }) {
  const api = useApi();
  const initial = (useLocation().state as { email?: string } | null)?.email ?? '';
  const { error, setError, onSubmit } = useFormError();
  const form = useForm({
    initialValues: { email: initial },
    validate: { email: validate.email },
  });
  const submit = onSubmit(form, async ({ email }) => {
    try {
      await api.auth.forgotPassword(email.trim());
      onSent(email.trim().toLowerCase());
    } catch (failure) {
      setError(showAtFields(form, failure));
    }
  });
  return (
    <AuthLayout title={r.title} subtitle={r.requestSubtitle} backToSignIn>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput label={t.auth.email} type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <FormError>{error}</FormError>
          <Button type="submit" loading={form.submitting}>
            {r.request}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}

function SetPassword({
  email,
  justSent,
  onDone,
  onOtherEmail,
}: {
  email: string;
  justSent: boolean;
  onDone: () => void;
  onOtherEmail: () => void;
}) {
  const api = useApi();
  const { error, setError, onSubmit } = useFormError();
  const form = useForm({
    initialValues: { otp: '', password: '' },
    validate: {
      otp: validate.otp,
      password: (value) => passwordRuleProblem(value),
    },
  });
  const submit = onSubmit(form, async ({ otp, password }) => {
    try {
      await api.auth.resetPassword(email, otp.trim(), password);
      onDone();
    } catch (failure) {
      setError(showAtFields(form, failure, { INVALID_OTP: 'otp' }));
    }
  });
  return (
    <AuthLayout title={r.title} subtitle={r.subtitle} backToSignIn>
      {justSent && (
        <Alert color="blue" role="status">
          {r.sent(email)}
        </Alert>
      )}
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            {t.auth.email}: <strong>{email}</strong>{' '}
            <Button variant="subtle" size="compact-xs" onClick={onOtherEmail}>
              {r.otherEmail}
            </Button>
          </Text>
          <OtpField {...form.getInputProps('otp')} />
          <ResendCode send={() => api.auth.resendOtp(email, 'FORGOT_PASSWORD')} initialCooldown={justSent ? 60 : 0} />
          <PasswordField label={t.auth.newPassword} required {...form.getInputProps('password')} value={form.values.password} />
          <FormError>{error}</FormError>
          <Button type="submit" loading={form.submitting}>
            {r.submit}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
