import { Alert } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/** The form's own error (what belongs to no field), announced to screen readers. */
export function FormError({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <Alert color="red" icon={<IconAlertCircle aria-hidden />} role="alert" data-testid="form-error">
      {children}
    </Alert>
  );
}
