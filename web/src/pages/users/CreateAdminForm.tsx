import { Button, MultiSelect, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import { describeError, showAtFields } from '../../api/describe';
import type { CreateAdminBody } from '../../api/endpoints';
import { useApi } from '../../app/context';
import { FormError, useFormError } from '../../components/FormError';
import { CompanyFields, SubUserLimitInput } from './ProfileFields';
import { t } from '../../messages';
import { optional, projectOptions, toIds, validEmail, validLimit, validName } from './fields';

const c = t.users.create;
export const allProjectsKey = ['projects', 'options'] as const;

/** The Super Admin's "New Project Admin": the account, its company, its sub-user limit and its projects. */
export function CreateAdminForm({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const { error, setError, onSubmit } = useFormError();
  const projects = useQuery({ queryKey: allProjectsKey, queryFn: async () => (await api.projects.list({ limit: 100 })).data });
  const create = useMutation({ mutationFn: (body: CreateAdminBody) => api.users.createAdmin(body) });
  const form = useForm({
    initialValues: {
      name: '',
      email: '',
      customRole: '',
      companyName: '',
      companyAddress: '',
      companyPhone: '',
      subUserLimit: 5 as number | string,
      projectIds: [] as string[],
    },
    validate: { name: validName, email: validEmail, subUserLimit: validLimit },
  });

  const submit = onSubmit(form, async (values) => {
    try {
      const created = await create.mutateAsync({
        name: values.name.trim(),
        email: values.email.trim(),
        customRole: optional(values.customRole),
        companyName: optional(values.companyName),
        companyAddress: optional(values.companyAddress),
        companyPhone: optional(values.companyPhone),
        subUserLimit: Number(values.subUserLimit),
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
        <TextInput label={c.name} required data-autofocus autoComplete="off" {...form.getInputProps('name')} />
        <TextInput label={c.email} description={c.emailHint} type="email" required autoComplete="off" {...form.getInputProps('email')} />
        <TextInput label={c.customRole} description={c.customRoleHint} {...form.getInputProps('customRole')} />
        <CompanyFields inputProps={form.getInputProps} />
        <SubUserLimitInput inputProps={form.getInputProps} />
        <MultiSelect
          label={c.projects}
          description={c.adminProjectsHint}
          data={projectOptions(projects.data ?? [])}
          disabled={projects.isPending}
          nothingFoundMessage={c.noProjects}
          searchable
          clearable
          comboboxProps={{ withinPortal: true }}
          {...form.getInputProps('projectIds')}
        />
        <FormError>{error ?? (projects.isError ? describeError(projects.error) : null)}</FormError>
        <Button type="submit" loading={create.isPending}>
          {c.submit}
        </Button>
      </Stack>
    </form>
  );
}
