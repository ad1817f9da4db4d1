import { Anchor, Code, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ProjectView } from '@xtown/contract';
import type { ReactNode } from 'react';
import { t } from '../../messages';
import { StatusBadge } from './StatusBadge';

const f = t.projects.fields;

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} component="dt">
        {label}
      </Text>
      <Text component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  );
}

/** A project's fields, read-only (the actions above change them). */
export function ProjectDetails({ project }: { project: ProjectView }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={t.projects.page.details}>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md" component="dl" m={0}>
        <Item label={f.customProjectId}>
          <Code>{project.customProjectId}</Code>
        </Item>
        <Item label={f.id}>{project.id}</Item>
        <Item label={t.projects.columns.status}>
          <StatusBadge isActive={project.isActive} />
        </Item>
        <Item label={f.projectUrl}>
          <Anchor href={project.projectUrl} target="_blank" rel="noopener noreferrer">
            {project.projectUrl}
          </Anchor>
        </Item>
        <Item label={f.icon}>{project.icon ?? f.none}</Item>
        {project.assignedUsers !== undefined && <Item label={f.assignedUsers}>{project.assignedUsers}</Item>}
        <Item label={f.createdAt}>{t.projects.formatDateTime(project.createdAt)}</Item>
        <Item label={f.updatedAt}>{t.projects.formatDateTime(project.updatedAt)}</Item>
      </SimpleGrid>
      <Stack mt="md" gap={2}>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
          {f.description}
        </Text>
        <Text style={{ whiteSpace: 'pre-wrap' }}>{project.description ?? f.none}</Text>
      </Stack>
    </Paper>
  );
}
