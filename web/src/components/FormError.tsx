import { Alert } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { Children, type ReactNode } from 'react';

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
