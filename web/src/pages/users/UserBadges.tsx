import { Badge, Group } from '@mantine/core';
import type { UserView } from '@xtown/contract';
import { t } from '../../messages';

// Mantine's badge hides what overflows: in a squeezed table column it would read "PROJ…".
const WHOLE = { root: { overflow: 'visible', flexShrink: 0 }, label: { overflow: 'visible' } } as const;
const ROLE_COLORS: Record<string, string> = { SUPER_ADMIN: 'grape', ADMIN: 'indigo', SUB_USER: 'cyan' };

export function RoleBadge({ role }: { role: UserView['role'] }) {
  return (
    <Badge color={ROLE_COLORS[role]} variant="light" styles={WHOLE}>
      {t.roles[role]}
    </Badge>
  );
}

/** Active, Not activated, Suspended (a user who never activated can be suspended too: both show). */
export function StatusBadges({ user }: { user: Pick<UserView, 'isActive' | 'isSuspended'> }) {
  const s = t.users.status;
  return (
    <Group gap={4} wrap="nowrap">
      {user.isSuspended && (
        <Badge color="red" variant="filled" styles={WHOLE}>
          {s.suspended}
        </Badge>
      )}
      {!user.isActive && (
        <Badge color="yellow" variant="light" styles={WHOLE}>
          {s.notActivated}
        </Badge>
      )}
      {user.isActive && !user.isSuspended && (
        <Badge color="teal" variant="light" styles={WHOLE}>
          {s.active}
        </Badge>
      )}
    </Group>
  );
}
