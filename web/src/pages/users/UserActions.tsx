import { Button, Group, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconEdit, IconLockOpen, IconPlayerPause, IconTrash } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import type { UserView } from '@xtown/contract';
import { describeError } from '../../api/describe';
import { useApi } from '../../app/context';
import { t } from '../../messages';
import { DeleteUserModal } from './DeleteUserModal';
import { EditUserModal } from './EditUserModal';
import { ResendActivationButton } from './ResendActivationButton';
import { SuspendModal } from './SuspendModal';

const a = t.users.actions;

/**
 * Edit, resend the activation email (until activated), suspend or unsuspend, delete. An Admin cannot lift a
 * suspension the Super Admin made: the only other one who suspends an Admin's sub-users is the Admin itself.
 */
export function UserActions({ user, me }: { user: UserView; me: UserView }) {
  const api = useApi();
  const [editing, edit] = useDisclosure();
  const [suspending, suspend] = useDisclosure();
  const [deleting, remove] = useDisclosure();
  const unsuspend = useMutation({
    mutationFn: () => api.users.unsuspend(user.id),
    onSuccess: () => notifications.show({ color: 'teal', message: t.users.unsuspend.done(user.name) }),
    onError: (error) => notifications.show({ color: 'red', title: a.unsuspend, message: describeError(error) }),
  });
  const blocked = user.isSuspended && me.role === 'ADMIN' && user.suspendedBy !== me.id;

  const confirmUnsuspend = () =>
    modals.openConfirmModal({
      title: t.users.unsuspend.title(user.name),
      children: <Text size="sm">{t.users.unsuspend.body}</Text>,
      labels: { confirm: t.users.unsuspend.confirm, cancel: t.cancel },
      onConfirm: () => unsuspend.mutate(),
    });

  return (
    <Stack gap={6}>
      <Group gap="xs" role="group" aria-label={a.label}>
        <Button variant="default" leftSection={<IconEdit size={16} aria-hidden />} onClick={edit.open}>
          {a.edit}
        </Button>
        {!user.isActive && <ResendActivationButton user={user} />}
        {user.isSuspended ? (
          <Button
            variant="default"
            color="teal"
            leftSection={<IconLockOpen size={16} aria-hidden />}
            onClick={confirmUnsuspend}
            loading={unsuspend.isPending}
            disabled={blocked}
            aria-describedby={blocked ? 'unsuspend-blocked' : undefined}
          >
            {a.unsuspend}
          </Button>
        ) : (
          <Button variant="default" color="orange" leftSection={<IconPlayerPause size={16} aria-hidden />} onClick={suspend.open}>
            {a.suspend}
          </Button>
        )}
        <Button variant="light" color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={remove.open}>
          {a.delete}
        </Button>
      </Group>
      {blocked && (
        <Text size="sm" c="dimmed" id="unsuspend-blocked" data-testid="unsuspend-blocked">
          {a.unsuspendBlocked}
        </Text>
      )}
      <EditUserModal user={user} me={me} opened={editing} onClose={edit.close} />
      <SuspendModal user={user} opened={suspending} onClose={suspend.close} />
      <DeleteUserModal user={user} opened={deleting} onClose={remove.close} />
    </Stack>
  );
}
