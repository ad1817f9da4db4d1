import { Alert, Button, MultiSelect, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { showAtFields } from '../../api/describe';
import type { CreateSubUserBody } from '../../api/endpoints';
import { useApi } from '../../app/context';
import { useMe } from '../../app/useMe';
import { FormError, useFormError } from '../../components/FormError';
import { t } from '../../messages';
import { optional, projectOptions, toIds, validEmail, validName } from './fields';
import { useAllowance } from './useAllowance';

const c = t.users.create;

/** An Admin's "New Sub User": the account and a choice among the Admin's own projects; the limit left is shown. */
export function CreateSubUserForm({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const me = useMe().data;
  const allowance = useAllowance();
  const { error, setError, onSubmit } = useFormError();
  const create = useMutation({ mutationFn: (body: CreateSubUserBody) => api.users.createSubUser(body) });
  const form = useForm({
    initialValues: { name: '', email: '', customRole: '', projectIds: [] as string[] },
    validate: { name: validName, email: validEmail },
  });

  const submit = onSubmit(form, async (values) => {
    try {
      const created = await create.mutateAsync({
        name: values.name.trim(),
        email: values.email.trim(),
        customRole: optional(values.customRole),
        projectIds: toIds(values.projectIds),
      });
      notifications.show({ color: 'teal', title: c.createdTitle(created.data.name), message: c.created(created.data.email) });
      onDone();
    } catch (failure) {
      setError(showAtFields(form, failure, { EMAIL_TAKEN: 'email' }));
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        {allowance && (
          <Alert color={allowance.left > 0 ? 'blue' : 'yellow'} role="status" data-testid="allowance-in-form">
            {allowance.left > 0 ? t.users.allowance.left(allowance.left, allowance.limit) : t.users.allowance.none(allowance.limit)}
          </Alert>
        )}
        <TextInput label={c.name} required data-autofocus autoComplete="off" {...form.getInputProps('name')} />
        <TextInput label={c.email} description={c.emailHint} type="email" required autoComplete="off" {...form.getInputProps('email')} />
        <TextInput label={c.customRole} description={c.customRoleHint} {...form.getInputProps('customRole')} />
        <MultiSelect
          label={c.projects}
          description={c.subUserProjectsHint}
          data={projectOptions(me?.projects ?? [])}
          nothingFoundMessage={c.noProjects}
          searchable
          clearable
          {...form.getInputProps('projectIds')}
        />
        <FormError>{error}</FormError>
        <Button type="submit" loading={create.isPending}>
          {c.submit}
        </Button>
      </Stack>
    </form>
  );
}
