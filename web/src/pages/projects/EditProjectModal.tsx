import { Button, Group, Modal, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import type { ProjectView } from '@xtown/contract';
import { useState } from 'react';
import { showAtFields } from '../../api/describe';
import type { UpdateProjectBody } from '../../api/endpoints';
import { useApi } from '../../app/context';
import { FormError, useFormError } from '../../components/FormError';
import { t } from '../../messages';
import { ProjectFields, type ProjectFormValues, useProjectForm } from './ProjectFields';

const valuesOf = (project: ProjectView): ProjectFormValues => ({
  customProjectId: project.customProjectId,
  name: project.name,
  projectUrl: project.projectUrl,
  icon: project.icon ?? '',
  description: project.description ?? '',
  isActive: project.isActive,
});

/** Only what changed is sent, so that a save never overwrites another administrator's change to another field. */
function changes(before: ProjectFormValues, after: ProjectFormValues): UpdateProjectBody {
  const body: UpdateProjectBody = {};
  if (after.name.trim() !== before.name) body.name = after.name.trim();
  if (after.projectUrl.trim() !== before.projectUrl) body.projectUrl = after.projectUrl.trim();
  if (after.icon.trim() !== before.icon) body.icon = after.icon.trim() || null;
  if (after.description.trim() !== before.description) body.description = after.description.trim() || null;
  if (after.isActive !== before.isActive) body.isActive = after.isActive;
  return body;
}

/** Edits a project: every field but its ID, which is shown read-only. Mounted per opening, so it starts from the project as it is. */
export function EditProjectModal({ project, onClose }: { project: ProjectView; onClose: () => void }) {
  const api = useApi();
  const [initial] = useState(() => valuesOf(project));
  const form = useProjectForm(initial, { idEditable: false });
  const { error, setError, onSubmit } = useFormError();
  const update = useMutation({ mutationFn: (body: UpdateProjectBody) => api.projects.update(project.id, body) });

  const submit = onSubmit(form, async (values) => {
    const body = changes(initial, values);
    if (Object.keys(body).length === 0) return onClose();
    try {
      const { data } = await update.mutateAsync(body);
      onClose();
      notifications.show({ color: 'teal', message: t.projects.updated(data.name) });
    } catch (failure) {
      setError(showAtFields(form, failure));
    }
  });

  return (
    <Modal opened onClose={onClose} title={t.projects.editDialog.title(project.name)} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ProjectFields form={form} idEditable={false} />
          <FormError>{error}</FormError>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t.cancel}
            </Button>
            <Button type="submit" loading={update.isPending}>
              {t.projects.editDialog.submit}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
