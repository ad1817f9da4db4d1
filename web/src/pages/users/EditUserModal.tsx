import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import type { UserView } from '@xtown/contract';
import { showAtFields } from '../../api/describe';
import type { UpdateUserBody } from '../../api/endpoints';
import { useApi } from '../../app/context';
import { FormError, useFormError } from '../../components/FormError';
import { CompanyFields, SubUserLimitInput } from './ProfileFields';
import { t } from '../../messages';
import { clearable, validLimit, validName } from './fields';

const c = t.users.create;

const initialOf = (user: UserView) => ({
  name: user.name,
  customRole: user.customRole ?? '',
  companyName: user.companyName ?? '',
  companyAddress: user.companyAddress ?? '',
  companyPhone: user.companyPhone ?? '',
  subUserLimit: user.subUserLimit as number | string,
});

/** Name, custom role and company; an Admin's sub-user limit is the Super Admin's to change (from an Admin: 403). */
export function EditUserModal({ user, me, opened, onClose }: { user: UserView; me: UserView; opened: boolean; onClose: () => void }) {
  // The form mounts with the modal, so that it starts from what the user is now, each time.
  return (
    <Modal opened={opened} onClose={onClose} title={t.users.edit.title(user.name)} size="lg">
      <EditUserForm user={user} me={me} onClose={onClose} />
    </Modal>
  );
}

function EditUserForm({ user, me, onClose }: { user: UserView; me: UserView; onClose: () => void }) {
  const api = useApi();
  const { error, setError, onSubmit } = useFormError();
  const withLimit = me.role === 'SUPER_ADMIN' && user.role === 'ADMIN';
  const update = useMutation({ mutationFn: (body: UpdateUserBody) => api.users.update(user.id, body) });
  const form = useForm({
    initialValues: initialOf(user),
    validate: { name: validName, subUserLimit: (value) => (withLimit ? validLimit(value) : null) },
  });
  const submit = onSubmit(form, async (values) => {
    try {
      await update.mutateAsync({
        name: values.name.trim(),
        customRole: clearable(values.customRole),
        companyName: clearable(values.companyName),
        companyAddress: clearable(values.companyAddress),
        companyPhone: clearable(values.companyPhone),
        subUserLimit: withLimit ? Number(values.subUserLimit) : undefined,
      });
      notifications.show({ color: 'teal', message: t.users.edit.saved });
      onClose();
    } catch (failure) {
      setError(showAtFields(form, failure));
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput label={c.name} required data-autofocus {...form.getInputProps('name')} />
        <TextInput label={c.customRole} description={c.customRoleHint} {...form.getInputProps('customRole')} />
        <CompanyFields inputProps={form.getInputProps} />
        {withLimit && <SubUserLimitInput inputProps={form.getInputProps} />}
        <FormError>{error}</FormError>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t.cancel}
          </Button>
          <Button type="submit" loading={update.isPending}>
            {t.save}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
