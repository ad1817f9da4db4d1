import { Text } from '@mantine/core';
import type { UserView } from '@xtown/contract';
import type { ReactNode } from 'react';
import { t } from '../../messages';
import { formatDateTime } from './format';
import { personName } from './people';
import { Section } from './Section';
import { Fields } from './UserDetailsCard';

const f = t.users.fields;

/** The suspension in force (when, by whom, why), and the last one lifted (when, by whom). */
export function SuspensionCard({ user, context }: { user: UserView; context: { me: UserView; admin: UserView | null } }) {
  const items: [string, ReactNode][] = [];
  if (user.isSuspended)
    items.push(
      [f.suspendedAt, formatDateTime(user.suspendedAt)],
      [f.suspendedBy, personName(user.suspendedBy, context)],
      [f.reason, <span style={{ whiteSpace: 'pre-wrap' }}>{user.suspensionReason ?? t.none}</span>],
    );
  if (user.unsuspendedAt)
    items.push([f.unsuspendedAt, formatDateTime(user.unsuspendedAt)], [f.unsuspendedBy, personName(user.unsuspendedBy, context)]);
  return (
    <Section title={t.users.sections.suspension} testId="user-suspension">
      {!user.isSuspended && (
        <Text size="sm" c="dimmed" mb={items.length ? 'xs' : 0}>
          {user.unsuspendedAt ? t.users.notSuspended : t.users.neverSuspended}
        </Text>
      )}
      {items.length > 0 && <Fields items={items} />}
    </Section>
  );
}
