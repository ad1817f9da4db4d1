import { Alert, Paper, Skeleton, Stack, Table, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../app/context';
import { PageLoader } from '../../app/SessionGate';
import { useMe } from '../../app/useMe';
import { isApiError } from '../../api/errors';
import { LoadFailed } from '../../components/LoadFailed';
import { PageHeader } from '../../components/PageHeader';
import { Paginator } from '../../components/Paginator';
import { t } from '../../messages';
import { AuditRow } from './AuditRow';
import { apiQuery, useAuditFilters } from './auditFilters';
import { FilterBar } from './FilterBar';

const m = t.audit;

function NotAllowed() {
  return (
    <Alert color="red" icon={<IconLock aria-hidden />} title={m.notAllowedTitle} role="alert" data-testid="audit-not-allowed">
      {m.notAllowed}
    </Alert>
  );
}

/** The audit log: the Super Admin's whole log, an Admin's team; filters and page in the URL. */
export default function AuditPage() {
  const me = useMe();
  if (!me.data) return <PageLoader />;
  return (
    <>
      <PageHeader
        title={m.title}
        description={{ SUPER_ADMIN: m.description, ADMIN: m.adminDescription, SUB_USER: undefined }[me.data.role]}
      />
      {me.data.role === 'SUB_USER' ? <NotAllowed /> : <AuditLog />}
    </>
  );
}

function AuditLog() {
  const api = useApi();
  const { filters, update, clear, active } = useAuditFilters();
  const query = apiQuery(filters);
  const entries = useQuery({
    queryKey: ['audit-logs', 'list', query],
    queryFn: () => api.audit.list(query),
    // The old page stays on screen while the next one loads, so the table does not jump.
    placeholderData: keepPreviousData,
  });
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setExpanded((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  let body;
  if (entries.isPending) body = <Skeleton height={320} radius="md" aria-label={m.loadingEntries} />;
  else if (entries.isError)
    body =
      isApiError(entries.error) && entries.error.status === 403 ? (
        <NotAllowed />
      ) : (
        <LoadFailed error={entries.error} onRetry={() => entries.refetch()} />
      );
  else if (entries.data.data.length === 0)
    body = (
      <Paper withBorder p="xl" radius="md">
        <Text c="dimmed" ta="center" data-testid="audit-empty">
          {active ? m.emptyFiltered : m.empty}
        </Text>
      </Paper>
    );
  else
    body = (
      <>
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={960}>
            <Table
              verticalSpacing="xs"
              highlightOnHover
              aria-label={m.table.label}
              aria-busy={entries.isFetching}
              data-testid="audit-table"
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">
                    <span className="visually-hidden">{m.table.details}</span>
                  </Table.Th>
                  {[m.table.time, m.table.action, m.table.actor, m.table.target, m.table.project, m.table.result, m.table.ip].map(
                    (label) => (
                      <Table.Th key={label} scope="col">
                        {label}
                      </Table.Th>
                    ),
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.data.data.map((entry) => (
                  <AuditRow
                    key={entry.id}
                    entry={entry}
                    expanded={expanded.has(entry.id)}
                    onToggle={() => toggle(entry.id)}
                    onFilterUser={(id) => update({ userId: String(id) })}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
        <Paginator meta={entries.data.meta} onChange={(page) => update({ page: String(page) })} />
      </>
    );

  return (
    <Stack gap={0}>
      <FilterBar filters={filters} update={update} clear={clear} active={active} />
      {body}
    </Stack>
  );
}
