import { Group, Paper, Skeleton, Text, ThemeIcon } from '@mantine/core';
import type { ReactNode } from 'react';
import type { IconUsers } from '@tabler/icons-react';
import { t } from '../../messages';

export interface Stat {
  /** The API's field name: the card's test id is `stat-<id>`. */
  id: string;
  label: string;
  value: ReactNode;
  icon: typeof IconUsers;
  color: string;
  /** Under the number: a meter or a hint. */
  footer?: ReactNode;
}

/** One figure: its label, the number (alone in its element, so that it can be read back), an icon. */
export function StatCard({ stat }: { stat: Stat }) {
  const Icon = stat.icon;
  return (
    <Paper withBorder p={{ base: 'sm', sm: 'md' }} radius="md" component="article" aria-labelledby={`stat-label-${stat.id}`}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div>
          <Text id={`stat-label-${stat.id}`} size="xs" c="dimmed" tt="uppercase" fw={700}>
            {stat.label}
          </Text>
          <Text fz={{ base: 22, sm: 28 }} fw={700} lh={1.2} mt={4} data-testid={`stat-${stat.id}`}>
            {stat.value}
          </Text>
        </div>
        <ThemeIcon variant="light" color={stat.color} size={38} radius="md" aria-hidden visibleFrom="sm">
          <Icon size={22} stroke={1.5} />
        </ThemeIcon>
      </Group>
      {stat.footer}
    </Paper>
  );
}

/** The cards' place while the figures load. */
export function StatSkeleton() {
  return <Skeleton height={96} radius="md" aria-label={t.home.loadingStats} />;
}
