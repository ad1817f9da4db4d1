import { Anchor, Badge, Group, Paper, Table, Text, Title } from '@mantine/core';
import type { UserStats } from '@xtown/contract';
import { Link } from 'react-router';
import { t } from '../../messages';

/** The newest users of the caller's scope (the Super Admin's everyone, an Admin's sub users), each linking to its page. */
export function RecentUsers({ users, admin }: { users: UserStats['recentUsers']; admin: boolean }) {
  const m = t.home.recent;
  const title = admin ? m.adminTitle : m.title;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="recent-title">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5" id="recent-title">
          {title}
        </Title>
        <Anchor component={Link} to="/users" size="sm">
          {m.all}
        </Anchor>
      </Group>
      {users.length === 0 ? (
        <Text size="sm" c="dimmed">
          {admin ? m.adminEmpty : m.empty}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" data-testid="recent-users">
            <Table.Caption className="visually-hidden">{m.caption}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{m.name}</Table.Th>
                <Table.Th scope="col">{m.email}</Table.Th>
                <Table.Th scope="col">{m.role}</Table.Th>
                <Table.Th scope="col">{m.status}</Table.Th>
                <Table.Th scope="col">{m.created}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((user) => (
                <Table.Tr key={user.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/users/${user.id}`} size="sm">
                      {user.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{user.email}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t.roles[user.role]}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={user.isActive ? 'teal' : 'yellow'}>
                      {user.isActive ? m.verified : m.unverified}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      <time dateTime={user.createdAt}>{m.createdAt(user.createdAt)}</time>
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
