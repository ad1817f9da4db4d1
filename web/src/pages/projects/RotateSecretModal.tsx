import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { projects as contract, type ProjectView } from '@xtown/contract';
import { useState } from 'react';
import { describeError } from '../../api/describe';
import { useApi } from '../../app/context';
import { FormError } from '../../components/FormError';
import { t } from '../../messages';
import { openSecretModal } from './SecretModal';

const r = t.projects.rotate;

/** Asks how long the old secret keeps working, rotates, and shows the new secret once. */
export function RotateSecretModal({ project, onClose }: { project: ProjectView; onClose: () => void }) {
  const api = useApi();
  const [grace, setGrace] = useState(String(contract.DEFAULT_GRACE_HOURS));
  const rotate = useMutation({ mutationFn: (graceHours: number) => api.projects.rotateSecret(project.id, { graceHours }) });

  const confirm = async () => {
    const { data } = await rotate.mutateAsync(Number(grace));
    onClose();
    openSecretModal({
      name: project.name,
      clientSecret: data.clientSecret,
      previousSecretValidUntil: data.previousSecretValidUntil ?? null,
    });
  };

  return (
    <Modal opened onClose={onClose} title={r.title(project.name)}>
      <Stack gap="md">
        <Text size="sm">{r.body}</Text>
        <Select
          label={r.grace}
          data={r.graceOptions}
          value={grace}
          onChange={(value) => value && setGrace(value)}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
        />
        <FormError>{rotate.isError ? describeError(rotate.error) : null}</FormError>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t.cancel}
          </Button>
          <Button color="orange" loading={rotate.isPending} onClick={() => void confirm().catch(() => undefined)}>
            {r.submit}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
