import { Box, ColorSwatch, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { t } from '../../messages';

export interface ChartItem {
  name: string;
  value: number;
  color: string;
}

/**
 * A chart with its title, a one-line summary that screen readers get instead of the drawing (the SVG is hidden
 * from them), and a legend that lists every item with its colour and figure.
 */
export function ChartCard({
  id,
  title,
  hint,
  items,
  children,
}: {
  id: string;
  title: string;
  hint?: string;
  items: ChartItem[];
  children: ReactNode;
}) {
  const summary = t.home.charts.summary(title, items.map((item) => t.home.charts.part(item.name, item.value)).join(', '));
  return (
    <Paper withBorder p="md" radius="md" component="figure" m={0} aria-labelledby={`${id}-title`} data-testid={`chart-${id}`}>
      <Title order={3} size="h5" id={`${id}-title`}>
        {title}
      </Title>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
      <Box role="img" aria-label={summary} mt="sm">
        <div aria-hidden>{children}</div>
      </Box>
      <Legend id={id} title={title} items={items} />
    </Paper>
  );
}

/** The legend: the API's names and colours, with each figure. */
export function Legend({ id, title, items }: { id: string; title: string; items: ChartItem[] }) {
  return (
    <Stack
      gap={4}
      mt="sm"
      mb={0}
      component="ul"
      aria-label={t.home.charts.legend(title)}
      data-testid={`legend-${id}`}
      p={0}
      style={{ listStyle: 'none' }}
    >
      {items.map((item) => (
        <Group key={item.name} component="li" gap="xs" wrap="nowrap" data-testid="legend-item" data-color={item.color}>
          <ColorSwatch color={item.color} size={12} withShadow={false} aria-hidden />
          <Text size="sm" style={{ flex: 1 }} data-testid="legend-name">
            {item.name}
          </Text>
          <Text size="sm" fw={600} data-testid="legend-value">
            {item.value}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}
