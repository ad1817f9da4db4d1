import { Anchor, Center, Group, Loader, SimpleGrid, Stack } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/errors';
import { useApi } from '../../app/context';
import { useMe } from '../../app/useMe';
import { LoadFailed } from '../../components/LoadFailed';
import { PageHeader } from '../../components/PageHeader';
import { t } from '../../messages';
import { SuspensionCard } from './SuspensionCard';
import { RoleBadge, StatusBadges } from './UserBadges';
import { UserActions } from './UserActions';
import { UserActivity } from './UserActivity';
import { UserDetailsCard } from './UserDetailsCard';
import { UserProjectsCard } from './UserProjectsCard';

export const userKey = (id: number) => ['users', 'one', id] as const;

/** /users/:id: a user's fields, projects, suspension and recent activity, and what may be done to it. */
export default function UserPage() {
  const api = useApi();
  const me = useMe().data;
  const raw = useParams().id ?? '';
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : null;
  const user = useQuery({ queryKey: userKey(id ?? 0), queryFn: async () => (await api.users.get(id!)).data, enabled: id !== null });
  // A Sub User's Admin: its name, and the projects that may be handed out (the Super Admin reads it; an Admin is it).
  const adminId = me?.role === 'SUPER_ADMIN' && user.data?.role === 'SUB_USER' ? user.data.createdById : null;
  const admin = useQuery({
    queryKey: userKey(adminId ?? 0),
    queryFn: async () => (await api.users.get(adminId!)).data,
    enabled: adminId !== null,
  });

  const back = (
    <Anchor component={Link} to="/users" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden />
        {t.users.back}
      </Group>
    </Anchor>
  );
  if (id === null) return <LoadFailed error={new ApiError('', 404, 'NOT_FOUND')} />;
  if (user.isError) return <LoadFailed error={user.error} onRetry={() => user.refetch()} />;
  if (user.isPending || !me)
    return (
      <Center py="xl">
        <Loader aria-label={t.loading} />
      </Center>
    );

  const target = user.data;
  const context = { me, admin: me.role === 'ADMIN' ? me : (admin.data ?? null) };
  return (
    <Stack gap="md">
      {back}
      <div>
        <PageHeader title={target.name} description={target.email} />
        <Group gap="xs" mt={-8}>
          <RoleBadge role={target.role} />
          <StatusBadges user={target} />
        </Group>
      </div>
      <UserActions user={target} me={me} />
      {/* Two columns of natural height (one on a phone): facts on the left, what changes on the right. */}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md" style={{ alignItems: 'start' }}>
        <Stack gap="md">
          <UserDetailsCard user={target} context={context} />
          <SuspensionCard user={target} context={context} />
        </Stack>
        <Stack gap="md">
          <UserProjectsCard user={target} me={me} admin={context.admin} />
          <UserActivity user={target} />
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}
