import { Anchor, Card, Code, Group, Stack, Text } from '@mantine/core';
import type { ProjectView } from '@xtown/contract';
import { Link } from 'react-router';
import { ProjectAvatar } from '../../components/ProjectAvatar';
import { t } from '../../messages';
import { ProjectMenu } from './ProjectMenu';
import { StatusBadge } from './StatusBadge';
import type { ProjectActions } from './useProjectActions';

const c = t.projects.columns;

/** At a phone's width the table becomes one card per project, with the same fields and the same actions. */
export function ProjectCards({ projects, actions }: { projects: ProjectView[]; actions: ProjectActions }) {
  return (
    <Stack
      gap="sm"
      component="ul"
      aria-label={t.projects.tableLabel}
      data-testid="projects-cards"
      p={0}
      m={0}
      style={{ listStyle: 'none' }}
    >
      {projects.map((project) => (
        <Card key={project.id} withBorder padding="sm" component="li" data-testid={`project-row-${project.customProjectId}`}>
          <Group wrap="nowrap" align="flex-start" gap="sm">
            <ProjectAvatar name={project.name} icon={project.icon} size="md" />
            <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
              <Group gap="xs" wrap="nowrap" justify="space-between">
                <Anchor component={Link} to={`/projects/${project.id}`} fw={600} truncate="end">
                  {project.name}
                </Anchor>
                <ProjectMenu project={project} actions={actions} />
              </Group>
              <Group gap="xs">
                <Code>{project.customProjectId}</Code>
                <StatusBadge isActive={project.isActive} />
              </Group>
              <Anchor href={project.projectUrl} target="_blank" rel="noopener noreferrer" size="sm" truncate="end">
                {project.projectUrl}
              </Anchor>
              <Text size="xs" c="dimmed">
                {c.users}: {project.assignedUsers ?? 0} · {c.created}{' '}
                <time dateTime={project.createdAt}>{t.projects.formatDate(project.createdAt)}</time>
              </Text>
            </Stack>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
