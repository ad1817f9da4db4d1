import { LineChart } from '@mantine/charts';
import { Alert, Paper, SimpleGrid, Skeleton, Text, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import type { ActivityDay } from '../../api/endpoints';
import { isApiError } from '../../api/errors';
import { LoadFailed } from '../../components/LoadFailed';
import { t } from '../../messages';
import { ACTIVITY_DAYS, browserTimeZone, useActivity } from './useHomeData';

type Series = keyof typeof t.home.activity.series;
const SERIES: { name: Series; color: string }[] = [
  { name: 'signIns', color: 'blue.6' },
  { name: 'failedSignIns', color: 'red.6' },
  { name: 'lockouts', color: 'orange.6' },
  { name: 'activeUsers', color: 'teal.6' },
];

/** Sign-ins, failed sign-ins, lockouts and active users per day of the reader's time zone, today last. */
export function ActivityChart() {
  const zone = browserTimeZone();
  const activity = useActivity(ACTIVITY_DAYS, zone);
  const m = t.home.activity;
  return (
    <Paper withBorder p="md" radius="md" component="figure" m={0} aria-labelledby="activity-title" data-testid="chart-activity">
      <Title order={3} size="h5" id="activity-title">
        {m.title}
      </Title>
      <Text size="xs" c="dimmed">
        {m.hint(ACTIVITY_DAYS, zone)}
      </Text>
      {activity.isPending ? (
        <Skeleton height={300} mt="sm" aria-label={t.home.loadingStats} />
      ) : activity.isError ? (
        // A server without the stats route (an older build) answers 404: say so plainly, not as a failure.
        isApiError(activity.error) && activity.error.status === 404 ? (
          <Alert mt="sm" color="gray" icon={<IconInfoCircle aria-hidden />} data-testid="activity-unavailable">
            {m.unavailable}
          </Alert>
        ) : (
          <LoadFailed error={activity.error} onRetry={() => activity.refetch()} />
        )
      ) : (
        <ActivityBody days={activity.data} />
      )}
    </Paper>
  );
}

function ActivityBody({ days }: { days: ActivityDay[] }) {
  const m = t.home.activity;
  const today = days.at(-1);
  const total = (name: Series) => days.reduce((sum, day) => sum + day[name], 0);
  const quiet = SERIES.every((series) => total(series.name) === 0);
  const series = SERIES.map((item) => ({ ...item, label: m.series[item.name] }));
  return (
    <>
      <SimpleGrid cols={{ base: 2, sm: 4 }} mt="sm" spacing="xs">
        {series.map((item) => (
          <div key={item.name}>
            <Text size="xs" c="dimmed">
              {item.label}, {m.today}
            </Text>
            <Text fw={700} fz="lg" data-testid={`activity-today-${item.name}`}>
              {today?.[item.name] ?? 0}
            </Text>
            <Text size="xs" c="dimmed">
              {m.inPeriod(total(item.name), days.length)}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      {quiet && (
        <Text size="sm" c="dimmed" mt="xs">
          {m.quiet(days.length)}
        </Text>
      )}
      {/* The drawing is for the eye; screen readers get the same figures from the table below. */}
      <div aria-hidden>
        <LineChart
          h={260}
          mt="md"
          data={days}
          dataKey="date"
          series={series}
          curveType="linear"
          withDots={false}
          withLegend
          legendProps={{ verticalAlign: 'bottom' }}
          xAxisProps={{ tickFormatter: (date: string) => m.day(date), minTickGap: 24 }}
          yAxisProps={{ allowDecimals: false }}
          lineChartProps={{ accessibilityLayer: false }}
          tooltipProps={{ labelFormatter: (date) => m.day(String(date)) }}
        />
      </div>
      <table className="visually-hidden" data-testid="activity-table">
        <caption>{m.tableCaption(days.length)}</caption>
        <thead>
          <tr>
            <th scope="col">{m.date}</th>
            {series.map((item) => (
              <th key={item.name} scope="col">
                {item.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((day) => (
            <tr key={day.date}>
              <th scope="row">{day.date}</th>
              {series.map((item) => (
                <td key={item.name}>{day[item.name]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
