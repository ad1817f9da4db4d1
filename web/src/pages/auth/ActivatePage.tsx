import { Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { passwordRuleProblem } from '@xtown/contract';
import { useSearchParams } from 'react-router';
import { showAtFields } from '../../api/describe';
import { useApi } from '../../app/context';
import { useCompleteSignIn } from '../../auth/signIn';
import { AuthLayout } from '../../components/AuthLayout';
import { FormError, useFormError } from '../../components/FormError';
import { OtpField } from '../../components/OtpField';
import { PasswordField } from '../../components/PasswordField';
import { ResendCode } from '../../components/ResendCode';
import { t } from '../../messages';
import { looksLikeEmail, validate } from '../../auth/validate';

/** `/activate?email=…` (the activation email links here): the emailed code and a new password, then signed in. */
export default function ActivatePage() {
  const api = useApi();
  const complete = useCompleteSignIn();
  const [params] = useSearchParams();
  const { error, setError, onSubmit } = useFormError();
  const form = useForm({
    initialValues: { email: params.get('email') ?? '', otp: '', password: '' },
    validate: {
      email: validate.email,
      otp: validate.otp,
      password: (value) => passwordRuleProblem(value),
    },
  });

  const submit = onSubmit(form, async ({ email, otp, password }) => {
    try {
      complete((await api.auth.activate(email.trim(), otp.trim(), password)).data);
    } catch (failure) {
      setError(showAtFields(form, failure, { INVALID_OTP: 'otp' }));
    }
  });

  const email = form.values.email.trim();
  return (
    <AuthLayout title={t.auth.activate.title} subtitle={t.auth.activate.subtitle} backToSignIn>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput label={t.auth.email} type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <OtpField {...form.getInputProps('otp')} />
          {looksLikeEmail(email) && <ResendCode send={() => api.auth.resendOtp(email, 'ACCOUNT_ACTIVATION')} />}
          <PasswordField label={t.auth.newPassword} required {...form.getInputProps('password')} value={form.values.password} />
          <FormError>{error}</FormError>
          <Button type="submit" loading={form.submitting}>
            {t.auth.activate.submit}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
