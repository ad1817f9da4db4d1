import { Badge } from '@mantine/core';
import { t } from '../../messages';

/** Active or inactive; the inactive one outlined, so that it stays visible on the dark theme. */
export function StatusBadge({ isActive }: { isActive: boolean }) {
  return (
    <Badge color={isActive ? 'teal' : 'gray'} variant={isActive ? 'light' : 'outline'} style={{ flexShrink: 0, minWidth: 'max-content' }}>
      {isActive ? t.projects.active : t.projects.inactive}
    </Badge>
  );
}
