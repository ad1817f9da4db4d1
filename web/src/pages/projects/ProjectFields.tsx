import { Group, Stack, Switch, Textarea, TextInput } from '@mantine/core';
import { useForm, type UseFormReturnType } from '@mantine/form';
import { ProjectAvatar } from '../../components/ProjectAvatar';
import { t } from '../../messages';
import { customProjectIdProblem, descriptionProblem, iconProblem, nameProblem, projectUrlProblem } from './validation';

export interface ProjectFormValues {
  customProjectId: string;
  name: string;
  projectUrl: string;
  icon: string;
  description: string;
  isActive: boolean;
}

export type ProjectForm = UseFormReturnType<ProjectFormValues>;

const f = t.projects.fields;

/** The project form: every rule checked in the browser; the project ID only while it can still be chosen. */
export function useProjectForm(initialValues: ProjectFormValues, { idEditable }: { idEditable: boolean }): ProjectForm {
  return useForm<ProjectFormValues>({
    initialValues,
    // The ID's rules are shown as one types (it can never be changed later); the rest when a field is left.
    validateInputOnChange: idEditable ? ['customProjectId'] : [],
    validateInputOnBlur: true,
    validate: {
      customProjectId: (value) => (idEditable ? customProjectIdProblem(value) : null),
      name: nameProblem,
      projectUrl: projectUrlProblem,
      icon: iconProblem,
      description: descriptionProblem,
    },
  });
}

export const blankProject: ProjectFormValues = { customProjectId: '', name: '', projectUrl: '', icon: '', description: '', isActive: true };

/** The fields of the create and edit dialogs; the ID is shown read-only once the project exists. */
export function ProjectFields({ form, idEditable }: { form: ProjectForm; idEditable: boolean }) {
  const icon = form.values.icon.trim();
  return (
    <Stack gap="sm">
      <TextInput
        label={f.customProjectId}
        description={idEditable ? f.customProjectIdHint : f.customProjectIdFixed}
        required={idEditable}
        readOnly={!idEditable}
        autoComplete="off"
        spellCheck={false}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        data-autofocus={idEditable || undefined}
        {...form.getInputProps('customProjectId')}
      />
      <TextInput label={f.name} required autoComplete="off" data-autofocus={!idEditable || undefined} {...form.getInputProps('name')} />
      <TextInput
        label={f.projectUrl}
        description={f.projectUrlHint}
        required
        type="url"
        autoComplete="url"
        placeholder="https://"
        {...form.getInputProps('projectUrl')}
      />
      <Group align="flex-start" wrap="nowrap" gap="sm">
        <TextInput label={f.icon} description={f.iconHint} autoComplete="off" style={{ flex: 1 }} {...form.getInputProps('icon')} />
        <Stack gap={4} align="center" mt={4} aria-label={f.iconPreview} role="img" data-testid="icon-preview">
          <ProjectAvatar name={form.values.name || '?'} icon={iconProblem(icon) ? null : icon} size="lg" />
        </Stack>
      </Group>
      <Textarea label={f.description} autosize minRows={2} maxRows={6} {...form.getInputProps('description')} />
      <Switch label={f.isActive} description={f.isActiveHint} {...form.getInputProps('isActive', { type: 'checkbox' })} />
    </Stack>
  );
}
