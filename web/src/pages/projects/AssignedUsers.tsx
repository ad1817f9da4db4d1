import { Anchor, Badge, Center, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { UserView } from '@xtown/contract';
import { Link } from 'react-router';
import { useApi } from '../../app/context';
import { LoadFailed } from '../../components/LoadFailed';
import { Paginator } from '../../components/Paginator';
import { t } from '../../messages';

const u = t.projects.assigned;

function UserStatus({ user }: { user: UserView }) {
  if (user.isSuspended)
    return (
      <Badge color="red" variant="light">
        {u.statusSuspended}
      </Badge>
    );
  if (!user.isActive)
    return (
      <Badge color="yellow" variant="light">
        {u.statusPending}
      </Badge>
    );
  return (
    <Badge color="teal" variant="light">
      {u.statusActive}
    </Badge>
  );
}

/** The users assigned to the project (in the caller's scope, as `GET /api/users?projectId=` answers), a page at a time. */
export function AssignedUsers({ projectId, page, onPage }: { projectId: number; page: number; onPage: (page: number) => void }) {
  const api = useApi();
  const users = useQuery({
    queryKey: ['users', 'list', { projectId, page }],
    queryFn: () => api.users.list({ projectId, page }),
    placeholderData: keepPreviousData,
  });

  return (
    <Stack gap="sm" component="section" aria-labelledby="assigned-title">
      <Title order={3} id="assigned-title">
        {u.title}
      </Title>
      {users.isPending ? (
        <Center py="md">
          <Loader aria-label={u.loading} />
        </Center>
      ) : users.isError ? (
        <LoadFailed error={users.error} onRetry={() => users.refetch()} />
      ) : (users.data.meta?.total ?? users.data.data.length) === 0 ? (
        <Text c="dimmed">{u.empty}</Text>
      ) : (
        <div aria-busy={users.isFetching}>
          <Table.ScrollContainer minWidth={560}>
            <Table striped verticalSpacing="xs" aria-label={u.tableLabel} data-testid="assigned-users">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{u.name}</Table.Th>
                  <Table.Th>{u.email}</Table.Th>
                  <Table.Th>{u.role}</Table.Th>
                  <Table.Th>{u.status}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.data.map((user) => (
                  <Table.Tr key={user.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/users/${user.id}`}>
                        {user.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{user.email}</Table.Td>
                    <Table.Td>{t.roles[user.role]}</Table.Td>
                    <Table.Td>
                      <UserStatus user={user} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Paginator meta={users.data.meta} onChange={onPage} />
        </div>
      )}
    </Stack>
  );
}
