import { Anchor, Code, Group, Table, Text } from '@mantine/core';
import type { ProjectView } from '@xtown/contract';
import { Link } from 'react-router';
import { ProjectAvatar } from '../../components/ProjectAvatar';
import { t } from '../../messages';
import { ProjectMenu } from './ProjectMenu';
import { StatusBadge } from './StatusBadge';
import type { ProjectActions } from './useProjectActions';

const c = t.projects.columns;

/** The Super Admin's projects, newest first (the API's order); scrolls sideways inside itself on a phone. */
export function ProjectsTable({ projects, actions }: { projects: ProjectView[]; actions: ProjectActions }) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover verticalSpacing="sm" aria-label={t.projects.tableLabel} data-testid="projects-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{c.project}</Table.Th>
            <Table.Th>{c.customProjectId}</Table.Th>
            <Table.Th>{c.url}</Table.Th>
            <Table.Th>{c.status}</Table.Th>
            <Table.Th ta="right">{c.users}</Table.Th>
            <Table.Th>{c.created}</Table.Th>
            <Table.Th>
              <span className="visually-hidden">{c.actions}</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {projects.map((project) => (
            <Table.Tr key={project.id} data-testid={`project-row-${project.customProjectId}`}>
              <Table.Td>
                <Group gap="sm" wrap="nowrap">
                  <ProjectAvatar name={project.name} icon={project.icon} size="md" />
                  <Anchor component={Link} to={`/projects/${project.id}`} fw={600}>
                    {project.name}
                  </Anchor>
                </Group>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Code>{project.customProjectId}</Code>
              </Table.Td>
              <Table.Td maw={260}>
                <Anchor href={project.projectUrl} target="_blank" rel="noopener noreferrer" size="sm" truncate="end" display="block">
                  {project.projectUrl}
                </Anchor>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <StatusBadge isActive={project.isActive} />
              </Table.Td>
              <Table.Td ta="right">{project.assignedUsers ?? 0}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Text size="sm" component="time" dateTime={project.createdAt}>
                  {t.projects.formatDate(project.createdAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <ProjectMenu project={project} actions={actions} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
