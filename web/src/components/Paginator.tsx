import { Group, Pagination, Text } from '@mantine/core';
import type { ListMeta } from '../api/http';
import { t } from '../messages';

/** Below a list: "Page 2 of 5 · 87 in all" and the page buttons (hidden when there is one page). */
export function Paginator({ meta, onChange }: { meta: ListMeta | undefined; onChange: (page: number) => void }) {
  if (!meta) return null;
  return (
    <Group justify="space-between" mt="md">
      <Text size="sm" c="dimmed" aria-live="polite">
        {t.pageOf(meta.page, meta.totalPages)} · {meta.total} in all
      </Text>
      {meta.totalPages > 1 && (
        <Pagination
          total={meta.totalPages}
          value={meta.page}
          onChange={onChange}
          size="sm"
          getControlProps={(control) => ({ 'aria-label': control === 'previous' ? t.previous : control === 'next' ? t.next : control })}
        />
      )}
    </Group>
  );
}
