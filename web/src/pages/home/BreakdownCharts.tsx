import { BarChart, PieChart } from '@mantine/charts';
import { Center, Text } from '@mantine/core';
import { t } from '../../messages';
import { ChartCard, type ChartItem } from './ChartCard';

const nothingToChart = (items: ChartItem[]) => items.every((item) => item.value === 0);

function Empty() {
  return (
    <Center h={160}>
      <Text size="sm" c="dimmed">
        {t.home.charts.empty}
      </Text>
    </Center>
  );
}

/** The verification pie: the API's `verification` array, its names and colours as they come. */
export function VerificationPie({ items, title, hint }: { items: ChartItem[]; title: string; hint?: string }) {
  return (
    <ChartCard id="verification" title={title} hint={hint} items={items}>
      {nothingToChart(items) ? (
        <Empty />
      ) : (
        <Center>
          <PieChart
            data={items.map((item) => ({ ...item }))}
            size={160}
            withLabels
            labelsPosition="inside"
            labelsType="value"
            withTooltip
            tooltipDataSource="segment"
            accessibilityLayer={false}
            // Recharts makes the pie's layer focusable; the chart is hidden from assistive tech (the legend and
            // the summary carry the figures), so nothing inside it may take the focus.
            pieChartProps={{ tabIndex: -1 }}
            pieProps={{ rootTabIndex: -1 }}
          />
        </Center>
      )}
    </ChartCard>
  );
}

/** The overview bar: one bar per item of the API's `systemOverview` array, each in the item's colour. */
export function OverviewBar({ items, title, hint }: { items: ChartItem[]; title: string; hint?: string }) {
  return (
    <ChartCard id="overview" title={title} hint={hint} items={items}>
      {nothingToChart(items) ? (
        <Empty />
      ) : (
        <BarChart
          h={180}
          data={items.map((item) => ({ name: item.name, value: item.value, color: item.color }))}
          dataKey="name"
          series={[{ name: 'value', label: title }]}
          withTooltip={false}
          withBarValueLabel
          yAxisProps={{ allowDecimals: false }}
          gridAxis="y"
          maxBarWidth={56}
          barChartProps={{ accessibilityLayer: false }}
        />
      )}
    </ChartCard>
  );
}
