import { Alert } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { Children, type FormEvent, type ReactNode, useState } from 'react';

/** The form's own error (what belongs to no field), announced to screen readers. */
export function FormError({ children }: { children: ReactNode }) {
  // Nothing to say (null, false, or only such children): no empty red box.
  if (Children.toArray(children).length === 0) return null;
  return (
    <Alert color="red" icon={<IconAlertCircle aria-hidden />} role="alert" data-testid="form-error">
      {children}
    </Alert>
  );
}

/** What useFormError needs of a Mantine form. */
interface Submittable<Values> {
  onSubmit: (valid: (values: Values) => Promise<void>, invalid: () => void) => (event?: FormEvent<HTMLFormElement>) => void;
}

/**
 * A form's own error, and its submit handler that clears the previous attempt's error on every
 * attempt. Mantine's `form.onSubmit` runs the handler only when every field validates, so clearing it
 * inside the handler left the last server error ("The email or password is not correct.") beside new
 * field errors.
 */
export function useFormError() {
  const [error, setError] = useState<string | null>(null);
  const clear = () => setError(null);
  const onSubmit = <Values,>(form: Submittable<Values>, handler: (values: Values) => Promise<void>) =>
    form.onSubmit((values) => {
      clear();
      return handler(values);
    }, clear);
  return { error, setError, onSubmit };
}
