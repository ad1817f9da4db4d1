import { Button, Group, MultiSelect, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { UserView } from '@xtown/contract';
import { useState } from 'react';
import { describeError } from '../../api/describe';
import { useApi } from '../../app/context';
import { FormError } from '../../components/FormError';
import { t } from '../../messages';
import { allProjectsKey } from './CreateAdminForm';
import { projectOptions, toIds } from './fields';
import { Section } from './Section';

const p = t.users.projects;

/**
 * The user's projects, replaced as a whole (`PUT /users/:id/projects`). An Admin may get any project; a Sub User
 * only its Admin's (`admin`: the reader itself when an Admin reads, else fetched by the page).
 */
export function UserProjectsCard({ user, me, admin }: { user: UserView; me: UserView; admin: UserView | null }) {
  const api = useApi();
  const forAdmin = user.role === 'ADMIN';
  const all = useQuery({
    queryKey: allProjectsKey,
    queryFn: async () => (await api.projects.list({ limit: 100 })).data,
    enabled: forAdmin,
  });
  const choices = forAdmin ? (all.data ?? []) : (admin?.projects ?? []);
  // Assigned projects stay listed even if they are no longer among the choices, so that Save never drops one silently.
  const known = new Set(choices.map((project) => project.id));
  const options = projectOptions([...choices, ...user.projects.filter((project) => !known.has(project.id))]);
  const hint = forAdmin ? p.hintAdmin : admin && admin.id !== me.id ? p.hintSubUser(admin.name) : p.hintSubUserOwn;
  const assigned = user.projects.map((project) => String(project.id));

  return (
    <Section title={t.users.sections.projects} testId="user-projects">
      {/* Remounted when the saved assignment changes, so that the choice starts from what is saved. */}
      <ProjectsForm
        key={assigned.join(',')}
        user={user}
        assigned={assigned}
        options={options}
        hint={hint}
        loading={forAdmin && all.isPending}
      />
      {forAdmin && all.isError && <FormError>{describeError(all.error)}</FormError>}
    </Section>
  );
}

function ProjectsForm({
  user,
  assigned,
  options,
  hint,
  loading,
}: {
  user: UserView;
  assigned: string[];
  options: { value: string; label: string }[];
  hint: string;
  loading: boolean;
}) {
  const api = useApi();
  const [value, setValue] = useState(assigned);
  const save = useMutation({
    mutationFn: (ids: number[]) => api.users.setProjects(user.id, ids),
    onSuccess: () => notifications.show({ color: 'teal', message: p.saved }),
  });
  const changed = value.length !== assigned.length || value.some((id) => !assigned.includes(id));

  return (
    <Stack gap="sm">
      <MultiSelect
        label={p.label}
        description={hint}
        placeholder={value.length === 0 ? p.none : undefined}
        data={options}
        value={value}
        onChange={setValue}
        disabled={loading}
        nothingFoundMessage={t.users.create.noProjects}
        searchable
        clearable
      />
      <FormError>{save.isError ? describeError(save.error) : null}</FormError>
      <Group justify="flex-end">
        <Button onClick={() => save.mutate(toIds(value))} disabled={!changed} loading={save.isPending}>
          {p.save}
        </Button>
      </Group>
    </Stack>
  );
}
