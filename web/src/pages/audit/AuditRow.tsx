import { ActionIcon, Anchor, Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import type { AuditLogView } from '@xtown/contract';
import { Link } from 'react-router';
import { t } from '../../messages';

const m = t.audit.table;
export const COLUMNS = 8;

/** A user id that narrows the log to that user (as actor or target) when pressed. */
function UserFilter({ id, onFilter }: { id: number; onFilter: (id: number) => void }) {
  return (
    <Anchor component="button" type="button" size="xs" c="dimmed" onClick={() => onFilter(id)} aria-label={m.filterByUser(id)}>
      #{id}
    </Anchor>
  );
}

/** One entry, and (when expanded) a second row with its details; the toggle is a real button with aria-expanded. */
export function AuditRow({
  entry,
  expanded,
  onToggle,
  onFilterUser,
}: {
  entry: AuditLogView;
  expanded: boolean;
  onToggle: () => void;
  onFilterUser: (id: number) => void;
}) {
  const actionName = t.audit.actions[entry.action] ?? entry.action;
  const time = t.audit.time(entry.createdAt);
  const detailsId = `audit-details-${entry.id}`;
  return (
    <>
      <Table.Tr data-testid="audit-row" data-id={entry.id}>
        <Table.Td>
          <ActionIcon
            variant="subtle"
            color="gray"
            onClick={onToggle}
            aria-expanded={expanded}
            aria-controls={expanded ? detailsId : undefined}
            aria-label={expanded ? m.collapse(actionName, time) : m.expand(actionName, time)}
          >
            {expanded ? <IconChevronDown size={16} aria-hidden /> : <IconChevronRight size={16} aria-hidden />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>
          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
            <time dateTime={entry.createdAt}>{time}</time>
          </Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{actionName}</Text>
          <Text size="xs" c="dimmed" ff="monospace" data-testid="audit-action">
            {entry.action}
          </Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm" data-testid="audit-actor">
            {entry.actorEmail ?? (entry.userId !== null ? m.userLink(entry.userId) : m.unknownActor)}
          </Text>
          {entry.userId !== null && <UserFilter id={entry.userId} onFilter={onFilterUser} />}
        </Table.Td>
        <Table.Td>{entry.targetUserId !== null ? <UserFilter id={entry.targetUserId} onFilter={onFilterUser} /> : t.none}</Table.Td>
        <Table.Td>
          {entry.projectId !== null ? (
            <Anchor component={Link} to={`/projects/${entry.projectId}`} size="sm">
              {m.projectLink(entry.projectId)}
            </Anchor>
          ) : (
            t.none
          )}
        </Table.Td>
        <Table.Td>
          <Badge variant="light" color={entry.success ? 'teal' : 'red'} data-testid="audit-success" data-success={entry.success}>
            {entry.success ? m.succeeded : m.failed}
          </Badge>
        </Table.Td>
        <Table.Td>
          <Text size="sm" ff="monospace">
            {entry.ipAddress ?? t.none}
          </Text>
        </Table.Td>
      </Table.Tr>
      {expanded && (
        <Table.Tr id={detailsId} data-testid="audit-details">
          <Table.Td colSpan={COLUMNS}>
            <Details entry={entry} />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

function Details({ entry }: { entry: AuditLogView }) {
  const hasDetails = entry.details && Object.keys(entry.details).length > 0;
  return (
    // Held to the visible width while the wide table scrolls sideways on a phone, so the user agent wraps in view.
    <Stack gap="xs" py="xs" style={{ position: 'sticky', left: 'var(--mantine-spacing-sm)', maxWidth: 'calc(100vw - 4rem)' }}>
      <Group gap="lg">
        <Text size="xs" c="dimmed">
          {m.entryId(entry.id)}
        </Text>
        {entry.resource && (
          <Text size="xs">
            {m.resource}: <Code>{entry.resource}</Code>
          </Text>
        )}
      </Group>
      <div>
        <Text size="xs" fw={700}>
          {m.detailsJson}
        </Text>
        {hasDetails ? (
          <Code block data-testid="audit-details-json" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {JSON.stringify(entry.details, null, 2)}
          </Code>
        ) : (
          <Text size="sm" c="dimmed">
            {m.noDetails}
          </Text>
        )}
      </div>
      <div>
        <Text size="xs" fw={700}>
          {m.userAgent}
        </Text>
        <Text size="sm" data-testid="audit-user-agent" style={{ wordBreak: 'break-word' }}>
          {entry.userAgent ?? t.none}
        </Text>
      </div>
    </Stack>
  );
}
