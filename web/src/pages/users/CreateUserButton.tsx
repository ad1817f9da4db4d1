import { Button, Group, Modal, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconUserPlus } from '@tabler/icons-react';
import type { Role } from '@xtown/contract';
import { t } from '../../messages';
import { CreateAdminForm } from './CreateAdminForm';
import { CreateSubUserForm } from './CreateSubUserForm';
import { useAllowance } from './useAllowance';

/** "New Project Admin" for the Super Admin; "New Sub User" for an Admin, with the sub-users it has left (disabled at none). */
export function CreateUserButton({ role }: { role: Role }) {
  const [opened, { open, close }] = useDisclosure();
  const allowance = useAllowance();
  const isAdmin = role === 'ADMIN';
  if (role !== 'SUPER_ADMIN' && !isAdmin) return null;
  const title = isAdmin ? t.users.create.subUser : t.users.create.admin;
  const full = isAdmin && allowance !== null && allowance.left === 0;

  return (
    <>
      <Group gap="sm" wrap="wrap" justify="flex-end">
        {isAdmin && allowance && (
          <Text size="sm" c={full ? 'red' : 'dimmed'} id="sub-user-allowance" data-testid="allowance" maw={360}>
            {full ? t.users.allowance.none(allowance.limit) : t.users.allowance.left(allowance.left, allowance.limit)}
          </Text>
        )}
        <Button
          leftSection={<IconUserPlus size={18} aria-hidden />}
          onClick={open}
          disabled={full || (isAdmin && !allowance)}
          aria-describedby={isAdmin ? 'sub-user-allowance' : undefined}
        >
          {title}
        </Button>
      </Group>
      <Modal opened={opened} onClose={close} title={title} size="lg">
        {isAdmin ? <CreateSubUserForm onDone={close} /> : <CreateAdminForm onDone={close} />}
      </Modal>
    </>
  );
}
