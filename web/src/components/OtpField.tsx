import { TextInput, type TextInputProps } from '@mantine/core';
import { t } from '../messages';

export const OTP_LENGTH = 6;

/** The emailed code: digits only, offered by the browser's one-time-code autofill. */
export function OtpField(props: TextInputProps) {
  return (
    <TextInput
      label={t.auth.otp}
      description={t.auth.otpHint(OTP_LENGTH)}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={10}
      required
      {...props}
    />
  );
}
