import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import type { ProjectView } from '@xtown/contract';
import { useState } from 'react';
import { describeError } from '../api/describe';
import { useApi } from '../app/context';
import { PageLoader } from '../app/SessionGate';
import { t } from '../messages';
import { LoadFailed } from './LoadFailed';
import { ProjectAvatar } from './ProjectAvatar';

export const launcherKey = ['projects', 'launcher'] as const;

/** "My projects": a card per project the user may open; Open asks for a project token and goes to its redirectUrl. */
export function ProjectLauncher({ heading = true }: { heading?: boolean }) {
  const api = useApi();
  const projects = useQuery({ queryKey: launcherKey, queryFn: async () => (await api.projects.list({ limit: 100 })).data });
  return (
    <Stack gap="sm" component="section" aria-labelledby="launcher-title">
      {heading && (
        <Title order={2} size="h3" id="launcher-title">
          {t.launcher.title}
        </Title>
      )}
      {projects.isPending ? (
        <PageLoader />
      ) : projects.isError ? (
        <LoadFailed error={projects.error} onRetry={() => projects.refetch()} />
      ) : projects.data.length === 0 ? (
        <Text c="dimmed">{t.launcher.empty}</Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid="launcher">
          {projects.data.map((project) => (
            <LauncherCard key={project.id} project={project} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}

function LauncherCard({ project }: { project: ProjectView }) {
  const api = useApi();
  const [opening, setOpening] = useState(false);
  const open = async () => {
    setOpening(true);
    try {
      // The redirect carries a one-time code (never a token) that the project's backend exchanges.
      window.location.assign((await api.auth.projectToken(project.id)).data.redirectUrl);
    } catch (error) {
      setOpening(false);
      notifications.show({ color: 'red', title: project.name, message: describeError(error) });
    }
  };
  return (
    <Card withBorder padding="md" data-testid={`launcher-${project.customProjectId}`}>
      <Group wrap="nowrap" align="flex-start">
        <ProjectAvatar name={project.name} icon={project.icon} size="lg" />
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Group gap="xs">
            <Text fw={600}>{project.name}</Text>
            {!project.isActive && (
              <Badge color="gray" variant="light">
                {t.launcher.inactive}
              </Badge>
            )}
          </Group>
          {project.description && (
            <Text size="sm" c="dimmed" lineClamp={2}>
              {project.description}
            </Text>
          )}
          <Anchor href={project.projectUrl} size="xs" c="dimmed" truncate="end" target="_blank" rel="noopener noreferrer">
            {project.projectUrl}
          </Anchor>
        </Stack>
      </Group>
      <Button
        mt="md"
        fullWidth
        onClick={open}
        loading={opening}
        disabled={!project.isActive}
        aria-label={t.launcher.openLabel(project.name)}
        title={project.isActive ? undefined : t.launcher.inactiveHint}
      >
        {project.isActive ? t.launcher.open : t.launcher.inactive}
      </Button>
    </Card>
  );
}
