import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import type { UserView } from '@xtown/contract';
import { showAtFields } from '../../api/describe';
import { useApi } from '../../app/context';
import { FormError, useFormError } from '../../components/FormError';
import { t } from '../../messages';

const s = t.users.suspend;
const MAX = 500;

/** Suspend with a reason (required, at most 500 characters), which the user is emailed. */
export function SuspendModal({ user, opened, onClose }: { user: UserView; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title={s.title(user.name)}>
      <SuspendForm user={user} onClose={onClose} />
    </Modal>
  );
}

function SuspendForm({ user, onClose }: { user: UserView; onClose: () => void }) {
  const api = useApi();
  const { error, setError, onSubmit } = useFormError();
  const suspend = useMutation({ mutationFn: (reason: string) => api.users.suspend(user.id, reason) });
  const form = useForm({
    initialValues: { reason: '' },
    validate: { reason: (value) => (!value.trim() ? s.reasonRequired : value.trim().length > MAX ? s.reasonTooLong : null) },
  });
  const submit = onSubmit(form, async ({ reason }) => {
    try {
      await suspend.mutateAsync(reason.trim());
      notifications.show({ color: 'orange', message: s.done(user.name) });
      onClose();
    } catch (failure) {
      setError(showAtFields(form, failure));
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm">{s.body}</Text>
        <Textarea
          label={s.reason}
          description={s.reasonHint(form.values.reason.trim().length)}
          required
          autosize
          minRows={3}
          maxRows={8}
          maxLength={MAX}
          data-autofocus
          {...form.getInputProps('reason')}
        />
        <FormError>{error}</FormError>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t.cancel}
          </Button>
          <Button type="submit" color="orange" loading={suspend.isPending}>
            {s.submit}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
