import { Anchor, Table, Text } from '@mantine/core';
import type { UserView } from '@xtown/contract';
import { Link } from 'react-router';
import { t } from '../../messages';
import { formatDate, formatDateTime, formatTime } from './format';
import { RoleBadge, StatusBadges } from './UserBadges';

const c = t.users.columns;
const NOWRAP = { whiteSpace: 'nowrap' } as const;

/** The page of users, newest first as the API sends them; scrolls sideways inside itself at a phone's width. */
export function UsersTable({ users, busy }: { users: UserView[]; busy: boolean }) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped highlightOnHover verticalSpacing="sm" aria-label={t.users.tableLabel} aria-busy={busy} data-testid="users-table">
        <Table.Thead>
          <Table.Tr>
            {[c.name, c.email, c.role, c.company, c.status, c.projects, c.lastSignIn, c.created].map((label) => (
              <Table.Th key={label} scope="col">
                {label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((user) => (
            <Table.Tr key={user.id} data-testid="user-row">
              <Table.Td>
                <Anchor component={Link} to={`/users/${user.id}`} fw={500}>
                  {user.name}
                </Anchor>
                {user.customRole && (
                  <Text size="xs" c="dimmed">
                    {user.customRole}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{user.email}</Table.Td>
              <Table.Td style={NOWRAP}>
                <RoleBadge role={user.role} />
              </Table.Td>
              <Table.Td>{user.companyName ?? t.none}</Table.Td>
              <Table.Td style={NOWRAP}>
                <StatusBadges user={user} />
              </Table.Td>
              <Table.Td>{user.projects.length}</Table.Td>
              <Table.Td style={NOWRAP}>
                {user.lastLoginAt ? (
                  <time dateTime={user.lastLoginAt} title={formatDateTime(user.lastLoginAt)}>
                    {formatDate(user.lastLoginAt)}
                    <Text span display="block" size="xs" c="dimmed">
                      {formatTime(user.lastLoginAt)}
                    </Text>
                  </time>
                ) : (
                  t.users.never
                )}
              </Table.Td>
              <Table.Td style={NOWRAP}>
                <time dateTime={user.createdAt} title={formatDateTime(user.createdAt)}>
                  {formatDate(user.createdAt)}
                </time>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
