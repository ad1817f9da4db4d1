import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import type { ProjectView } from '@xtown/contract';
import { type FormEvent, useState } from 'react';
import { describeError } from '../../api/describe';
import { useApi } from '../../app/context';
import { FormError } from '../../components/FormError';
import { t } from '../../messages';

const d = t.projects.remove;

/** Deletion is for good (the ID is never reused): the Super Admin types the project ID to confirm. */
export function DeleteProjectModal({ project, onClose, onDeleted }: { project: ProjectView; onClose: () => void; onDeleted?: () => void }) {
  const api = useApi();
  const [typed, setTyped] = useState('');
  const remove = useMutation({ mutationFn: () => api.projects.remove(project.id) });
  const matches = typed.trim() === project.customProjectId;

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    if (!matches) return;
    await remove.mutateAsync();
    onClose();
    onDeleted?.();
    notifications.show({ color: 'teal', message: d.deleted(project.name) });
  };

  return (
    <Modal opened onClose={onClose} title={d.title(project.name)}>
      <form onSubmit={(event) => void confirm(event).catch(() => undefined)} noValidate>
        <Stack gap="md">
          <Text size="sm">{d.body}</Text>
          <TextInput
            label={d.typeToConfirm(project.customProjectId)}
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            autoComplete="off"
            spellCheck={false}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            data-autofocus
            error={typed.trim() && !matches && typed.trim().length >= project.customProjectId.length ? d.mismatch : undefined}
          />
          <FormError>{remove.isError ? describeError(remove.error) : null}</FormError>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t.cancel}
            </Button>
            <Button type="submit" color="red" disabled={!matches} loading={remove.isPending}>
              {d.submit}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
