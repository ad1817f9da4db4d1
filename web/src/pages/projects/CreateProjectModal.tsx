import { Button, Group, Modal, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { showAtFields } from '../../api/describe';
import { useApi } from '../../app/context';
import { FormError, useFormError } from '../../components/FormError';
import { t } from '../../messages';
import { blankProject, ProjectFields, type ProjectFormValues, useProjectForm } from './ProjectFields';
import { openSecretModal } from './SecretModal';

const toBody = (values: ProjectFormValues) => ({
  customProjectId: values.customProjectId.trim(),
  name: values.name.trim(),
  projectUrl: values.projectUrl.trim(),
  icon: values.icon.trim() || null,
  description: values.description.trim() || null,
  isActive: values.isActive,
});

/** Creates a project; on success its client secret is shown once, in a dialog of its own. */
export function CreateProjectModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const api = useApi();
  const form = useProjectForm(blankProject, { idEditable: true });
  const { error, setError, onSubmit } = useFormError();
  const create = useMutation({ mutationFn: (values: ProjectFormValues) => api.projects.create(toBody(values)) });

  const close = () => {
    form.reset();
    setError(null);
    onClose();
  };

  const submit = onSubmit(form, async (values) => {
    try {
      const { data } = await create.mutateAsync(values);
      close();
      notifications.show({ color: 'teal', message: t.projects.created(data.name) });
      openSecretModal({ name: data.name, clientSecret: data.clientSecret });
    } catch (failure) {
      setError(showAtFields(form, failure, { PROJECT_ID_TAKEN: 'customProjectId' }));
    }
  });

  return (
    <Modal opened={opened} onClose={close} title={t.projects.createDialog.title} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ProjectFields form={form} idEditable />
          <FormError>{error}</FormError>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t.cancel}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t.projects.createDialog.submit}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
