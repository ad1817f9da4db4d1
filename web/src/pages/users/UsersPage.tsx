import { Button, Center, EmptyState, Loader } from '@mantine/core';
import { IconUsers } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { isApiError } from '../../api/errors';
import { useApi } from '../../app/context';
import { useMe } from '../../app/useMe';
import { LoadFailed } from '../../components/LoadFailed';
import { PageHeader } from '../../components/PageHeader';
import { Paginator } from '../../components/Paginator';
import { t } from '../../messages';
import { CreateUserButton } from './CreateUserButton';
import { NotAllowed } from './NotAllowed';
import { toQuery, useUserListParams } from './listParams';
import { UserFilters } from './UserFilters';
import { UsersTable } from './UsersTable';

/** /users: the Super Admin's Project Admins and Sub Users, or an Admin's own Sub Users; search, filters and page in the URL. */
export default function UsersPage() {
  const api = useApi();
  const me = useMe().data;
  const { params, update, filtered, clear } = useUserListParams();
  const isSuperAdmin = me?.role === 'SUPER_ADMIN';
  const query = toQuery(params, isSuperAdmin);
  const list = useQuery({
    queryKey: ['users', 'list', query],
    queryFn: () => api.users.list(query),
    // The rows stay while the next search or page loads, rather than the table blinking.
    placeholderData: keepPreviousData,
  });

  // A page that emptied (its last users deleted, or a stale link) goes to the last page that has users.
  const lastPage = Math.max(1, list.data?.meta?.totalPages ?? 1);
  const beyond = list.isSuccess && !list.isPlaceholderData && list.data.data.length === 0 && params.page > lastPage;
  useEffect(() => {
    if (beyond) update({ page: lastPage });
  }, [beyond, lastPage]);

  if (list.isError && isApiError(list.error) && list.error.status === 403) return <NotAllowed />;
  if (!me) return null;
  const u = t.users;
  // With nothing at all yet, the empty state's button is the one call to action.
  const empty = list.isSuccess && list.data.data.length === 0 && !filtered;

  return (
    <>
      <PageHeader
        title={u.title}
        description={isSuperAdmin ? u.descriptionSuperAdmin : u.descriptionAdmin}
        actions={empty ? undefined : <CreateUserButton role={me.role} />}
      />
      <UserFilters params={params} update={update} withRole={isSuperAdmin} filtered={filtered} clear={clear} />
      {list.isPending ? (
        <Center py="xl">
          <Loader aria-label={t.loading} />
        </Center>
      ) : list.isError ? (
        <LoadFailed error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.data.length === 0 ? (
        <EmptyState
          icon={<IconUsers size={32} aria-hidden />}
          withIndicatorBackground
          title={filtered ? u.empty.filteredTitle : u.empty.title}
          description={filtered ? u.empty.filtered : isSuperAdmin ? u.empty.superAdmin : u.empty.admin}
          py="xl"
          data-testid="users-empty"
        >
          {filtered ? (
            <EmptyState.Actions>
              <Button variant="default" onClick={clear}>
                {u.filters.clear}
              </Button>
            </EmptyState.Actions>
          ) : (
            <EmptyState.Actions>
              <CreateUserButton role={me.role} />
            </EmptyState.Actions>
          )}
        </EmptyState>
      ) : (
        <>
          <UsersTable users={list.data.data} busy={list.isFetching} />
          <Paginator meta={list.data.meta} onChange={(page) => update({ page })} />
        </>
      )}
    </>
  );
}
