import { Alert, Anchor, Button, Center, Group, Loader, Stack } from '@mantine/core';
import { isApiError } from '../../api/errors';
import { useQuery } from '@tanstack/react-query';
import { IconArrowLeft, IconExternalLink, IconKey, IconPencil, IconPlayerPause, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useApi } from '../../app/context';
import { useMe } from '../../app/useMe';
import { LoadFailed } from '../../components/LoadFailed';
import { PageHeader } from '../../components/PageHeader';
import { ProjectAvatar } from '../../components/ProjectAvatar';
import { t } from '../../messages';
import { AssignedUsers } from './AssignedUsers';
import { ProjectDetails } from './ProjectDetails';
import { useProjectActions } from './useProjectActions';

const a = t.projects.actions;

/** /projects/:id (the id or the customProjectId): its fields, the Super Admin's actions, and who is assigned to it. */
export default function ProjectPage() {
  const api = useApi();
  const me = useMe();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const usersPage = Math.max(1, Math.floor(Number(params.get('page'))) || 1);
  const actions = useProjectActions({ onDeleted: () => navigate('/projects', { replace: true }) });
  const project = useQuery({ queryKey: ['projects', 'detail', id], queryFn: async () => (await api.projects.get(id)).data });

  if (project.isPending)
    return (
      <Center h="40vh">
        <Loader aria-label={t.projects.page.loading} />
      </Center>
    );
  if (project.isError && isApiError(project.error) && project.error.status === 404) return <ProjectNotFound />;
  if (project.isError) return <LoadFailed error={project.error} onRetry={() => project.refetch()} />;

  const p = project.data;
  const superAdmin = me.data?.role === 'SUPER_ADMIN';
  const setUsersPage = (page: number) =>
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      if (page > 1) next.set('page', String(page));
      else next.delete('page');
      return next;
    });

  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/projects" size="sm">
        <Group gap={4} component="span">
          <IconArrowLeft size={14} aria-hidden />
          {t.projects.page.back}
        </Group>
      </Anchor>
      <PageHeader
        title={
          <Group gap="sm" component="span" wrap="nowrap">
            <ProjectAvatar name={p.name} icon={p.icon} size="lg" />
            <span>{p.name}</span>
          </Group>
        }
        actions={
          superAdmin && (
            <Group gap="xs">
              <Button
                variant="default"
                leftSection={<IconExternalLink size={16} aria-hidden />}
                disabled={!p.isActive}
                onClick={() => actions.open(p)}
              >
                {a.open}
              </Button>
              <Button variant="default" leftSection={<IconPencil size={16} aria-hidden />} onClick={() => actions.edit(p)}>
                {a.edit}
              </Button>
              <Button
                variant="default"
                leftSection={p.isActive ? <IconPlayerPause size={16} aria-hidden /> : <IconPlayerPlay size={16} aria-hidden />}
                onClick={() => actions.toggleActive(p)}
              >
                {p.isActive ? a.deactivate : a.activate}
              </Button>
              <Button variant="default" leftSection={<IconKey size={16} aria-hidden />} onClick={() => actions.rotate(p)}>
                {a.rotate}
              </Button>
              <Button color="red" variant="light" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => actions.remove(p)}>
                {a.delete}
              </Button>
            </Group>
          )
        }
      />
      <ProjectDetails project={p} />
      {me.data?.role !== 'SUB_USER' && <AssignedUsers projectId={p.id} page={usersPage} onPage={setUsersPage} />}
      {actions.dialog}
    </Stack>
  );
}

/** A deleted project, a mistyped address, or one outside the caller's scope: said plainly, with the way back. */
function ProjectNotFound() {
  return (
    <Alert color="gray" title={t.projects.page.notFound} role="alert" m="md">
      <Anchor component={Link} to="/projects">
        {t.projects.page.back}
      </Anchor>
    </Alert>
  );
}
