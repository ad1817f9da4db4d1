import { Paper, Title } from '@mantine/core';
import { type ReactNode, useId } from 'react';

/** A titled card of the profile (an h3 under the page's h2), named by its title for screen readers. */
export function Card({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const id = useId();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id} data-testid={testId}>
      <Title order={3} size="h4" id={id} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}
