import { Button, Fieldset, Group, PasswordInput, Stack, Stepper, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { passwordRuleProblem } from '@xtown/contract';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate } from 'react-router';
import { showAtFields } from '../../api/describe';
import { useApi } from '../../app/context';
import { useCompleteSignIn } from '../../auth/signIn';
import { AuthLayout } from '../../components/AuthLayout';
import { FormError, useFormError } from '../../components/FormError';
import { OtpField } from '../../components/OtpField';
import { PasswordField } from '../../components/PasswordField';
import { ResendCode } from '../../components/ResendCode';
import { t } from '../../messages';
import { validate } from '../../auth/validate';

const s = t.auth.setup;

/** The first run: the Super Admin with the setup token, then the emailed OTP, then signed in. */
export default function SetupPage() {
  const api = useApi();
  const complete = useCompleteSignIn();
  const [email, setEmail] = useState<string | null>(null);
  const { error, setError, onSubmit } = useFormError();
  const check = useQuery({ queryKey: ['check-super-admin'], queryFn: async () => (await api.auth.checkSuperAdmin()).data });

  const account = useForm({
    initialValues: { setupToken: '', name: '', email: '', password: '', companyName: '', companyAddress: '', companyPhone: '' },
    validate: {
      setupToken: validate.filled(t.auth.validation.setupToken),
      name: validate.filled(t.auth.validation.name),
      email: validate.email,
      password: (value) => passwordRuleProblem(value),
    },
  });
  const verify = useForm({
    initialValues: { otp: '' },
    validate: { otp: validate.otp },
  });

  const register = onSubmit(account, async (values) => {
    const optional = (value: string) => (value.trim() ? value.trim() : undefined);
    try {
      const answer = await api.auth.register({
        setupToken: values.setupToken.trim(),
        name: values.name.trim(),
        email: values.email.trim(),
        password: values.password,
        companyName: optional(values.companyName),
        companyAddress: optional(values.companyAddress),
        companyPhone: optional(values.companyPhone),
      });
      setEmail(answer.data.email);
    } catch (failure) {
      setError(showAtFields(account, failure, { SETUP_TOKEN_INVALID: 'setupToken' }));
    }
  });

  const confirm = onSubmit(verify, async ({ otp }) => {
    try {
      complete((await api.auth.verifyRegistration(email!, otp.trim())).data);
    } catch (failure) {
      setError(showAtFields(verify, failure, { INVALID_OTP: 'otp' }));
    }
  });

  // Once a Super Admin exists the wizard is gone for good.
  if (check.data?.exists && !email) return <Navigate to="/login" replace />;
  return (
    <AuthLayout title={s.title} subtitle={s.subtitle} width={560}>
      <Stepper active={email ? 1 : 0} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label={s.stepAccount}>
          <form onSubmit={register} noValidate>
            <Stack gap="sm" mt="md">
              <PasswordInput
                label={s.setupToken}
                description={s.setupTokenHint}
                autoComplete="off"
                required
                {...account.getInputProps('setupToken')}
              />
              <TextInput label={s.name} autoComplete="name" required {...account.getInputProps('name')} />
              <TextInput label={t.auth.email} type="email" autoComplete="email" required {...account.getInputProps('email')} />
              <PasswordField label={t.auth.password} required {...account.getInputProps('password')} value={account.values.password} />
              <Fieldset legend={s.company} variant="filled">
                <Stack gap="xs">
                  <TextInput label={s.companyName} autoComplete="organization" {...account.getInputProps('companyName')} />
                  <TextInput label={s.companyAddress} autoComplete="street-address" {...account.getInputProps('companyAddress')} />
                  <TextInput label={s.companyPhone} type="tel" autoComplete="tel" {...account.getInputProps('companyPhone')} />
                </Stack>
              </Fieldset>
              <FormError>{error}</FormError>
              <Button type="submit" loading={account.submitting}>
                {s.submit}
              </Button>
            </Stack>
          </form>
        </Stepper.Step>
        <Stepper.Step label={s.stepVerify}>
          <form onSubmit={confirm} noValidate>
            <Stack gap="sm" mt="md">
              <Text size="sm">{email && s.verifyIntro(email)}</Text>
              <OtpField data-autofocus autoFocus {...verify.getInputProps('otp')} />
              <ResendCode send={() => api.auth.resendOtp(email!, 'REGISTRATION')} initialCooldown={60} />
              <FormError>{error}</FormError>
              <Group justify="space-between">
                <Button variant="default" onClick={() => setEmail(null)}>
                  {s.changeEmail}
                </Button>
                <Button type="submit" loading={verify.submitting}>
                  {s.verify}
                </Button>
              </Group>
            </Stack>
          </form>
        </Stepper.Step>
      </Stepper>
    </AuthLayout>
  );
}
