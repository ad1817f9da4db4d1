import { Button, Group, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconLogout, IconLogout2 } from '@tabler/icons-react';
import { useAuth } from '@xtown/client/react';
import { useState } from 'react';
import { t } from '../../messages';
import { Card } from './Card';

const s = t.profile.sessions;

/** Sign out here, or everywhere (after a confirmation): every session of the user ends, its tokens are refused. */
export function SessionsCard() {
  const auth = useAuth();
  const [busy, setBusy] = useState<'here' | 'everywhere' | null>(null);
  const signOut = (allDevices: boolean) => {
    setBusy(allDevices ? 'everywhere' : 'here');
    void auth.signOut({ allDevices }).finally(() => setBusy(null));
  };
  const confirmEverywhere = () =>
    modals.openConfirmModal({
      title: s.confirmTitle,
      children: <Text size="sm">{s.confirmBody}</Text>,
      labels: { confirm: s.confirm, cancel: t.cancel },
      confirmProps: { color: 'red' },
      onConfirm: () => signOut(true),
    });

  return (
    <Card title={s.title} testId="sessions">
      <Text size="sm" mb="sm">
        {s.body}
      </Text>
      <Group gap="xs">
        <Button
          variant="default"
          leftSection={<IconLogout size={16} aria-hidden />}
          onClick={() => signOut(false)}
          loading={busy === 'here'}
        >
          {s.signOut}
        </Button>
        <Button
          color="red"
          variant="light"
          leftSection={<IconLogout2 size={16} aria-hidden />}
          onClick={confirmEverywhere}
          loading={busy === 'everywhere'}
        >
          {s.signOutEverywhere}
        </Button>
      </Group>
    </Card>
  );
}
