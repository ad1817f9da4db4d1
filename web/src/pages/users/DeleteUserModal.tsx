import { Alert, Button, Group, List, Loader, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { UserView } from '@xtown/contract';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../api/describe';
import { isApiError } from '../../api/errors';
import { useApi } from '../../app/context';
import { FormError } from '../../components/FormError';
import { t } from '../../messages';
import { subUsersOf } from './subUsers';

const r = t.users.remove;

/**
 * Delete after a confirmation. An Admin that still has sub-users is refused (409 HAS_SUB_USERS): then the modal
 * lists those sub-users and offers to delete them with it (`?force=true`).
 */
export function DeleteUserModal({ user, opened, onClose }: { user: UserView; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title={r.title(user.name)}>
      <DeleteUser user={user} onClose={onClose} />
    </Modal>
  );
}

function DeleteUser({ user, onClose }: { user: UserView; onClose: () => void }) {
  const api = useApi();
  const navigate = useNavigate();
  const [force, setForce] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (withSubUsers: boolean) => api.users.remove(user.id, withSubUsers),
    onSuccess: (answer) => {
      notifications.show({ color: 'teal', message: r.done(user.name, answer.data.deletedUserIds.length) });
      onClose();
      navigate('/users', { replace: true });
    },
    onError: (failure) => {
      if (isApiError(failure) && failure.code === 'HAS_SUB_USERS') setForce(true);
      else setError(describeError(failure));
    },
  });

  return (
    <Stack gap="sm">
      <Text size="sm">{r.body}</Text>
      {force && <SubUsersThatGo user={user} onConfirm={() => remove.mutate(true)} busy={remove.isPending} />}
      <FormError>{error}</FormError>
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose} data-autofocus>
          {t.cancel}
        </Button>
        {!force && (
          <Button color="red" onClick={() => remove.mutate(false)} loading={remove.isPending}>
            {r.confirm}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function SubUsersThatGo({ user, onConfirm, busy }: { user: UserView; onConfirm: () => void; busy: boolean }) {
  const api = useApi();
  const subUsers = useQuery({ queryKey: ['users', 'sub-users-of', user.id], queryFn: () => subUsersOf(api, user.id) });
  if (subUsers.isPending) return <Loader size="sm" aria-label={t.loading} />;
  if (subUsers.isError) return <FormError>{describeError(subUsers.error)}</FormError>;
  const count = subUsers.data.length;
  return (
    <Alert color="red" role="alert" data-testid="force-delete">
      <Stack gap="xs">
        <Text size="sm">{r.forceIntro(user.name, count)}</Text>
        <List size="sm" aria-label={r.forceListLabel} data-testid="sub-users-that-go">
          {subUsers.data.map((subUser) => (
            <List.Item key={subUser.id}>
              {subUser.name} ({subUser.email})
            </List.Item>
          ))}
        </List>
        <Group justify="flex-end">
          <Button color="red" onClick={onConfirm} loading={busy}>
            {r.forceConfirm(count)}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
