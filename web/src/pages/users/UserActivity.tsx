import { Anchor, Badge, Center, Group, List, Loader, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { UserView } from '@xtown/contract';
import { Link } from 'react-router';
import { useApi } from '../../app/context';
import { LoadFailed } from '../../components/LoadFailed';
import { t } from '../../messages';
import { actionWords, formatDateTime } from './format';
import { Section } from './Section';

const a = t.users.activity;
const LATEST = 10;

/** The latest entries of the audit log by or about the user (a list: it fits a card at any width), and the way to the rest. */
export function UserActivity({ user }: { user: UserView }) {
  const api = useApi();
  const query = { userId: user.id, limit: LATEST };
  const log = useQuery({ queryKey: ['audit', query], queryFn: async () => (await api.audit.list(query)).data });
  const more = (
    <Anchor component={Link} to={`/audit?userId=${user.id}`} size="sm">
      {a.all}
    </Anchor>
  );

  return (
    <Section title={t.users.sections.activity} actions={more} testId="user-activity">
      {log.isPending ? (
        <Center py="md">
          <Loader size="sm" aria-label={t.loading} />
        </Center>
      ) : log.isError ? (
        <LoadFailed error={log.error} onRetry={() => log.refetch()} />
      ) : log.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          {a.empty}
        </Text>
      ) : (
        <List listStyleType="none" spacing="xs" aria-label={a.tableLabel(user.name)}>
          {log.data.map((entry) => (
            <List.Item key={entry.id}>
              <Group gap="xs">
                <Text size="sm" fw={500}>
                  {actionWords(entry.action)}
                </Text>
                {!entry.success && (
                  <Badge color="red" variant="light" size="sm">
                    {a.failed}
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt)}</time> · {a.by} {entry.actorEmail ?? a.system}
              </Text>
            </List.Item>
          ))}
        </List>
      )}
    </Section>
  );
}
