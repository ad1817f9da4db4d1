import { Badge, DataList, Group, Text } from '@mantine/core';
import type { UserView } from '@xtown/contract';
import type { ReactNode } from 'react';
import { t } from '../../messages';
import { Card } from './Card';

const d = t.profile.details;

/** What the hub knows of the signed-in user: read only, since nobody edits themselves through the API. */
export function ProfileDetails({ me }: { me: UserView }) {
  const items: [string, ReactNode][] = [
    [d.name, me.name],
    [d.email, me.email],
    [d.role, t.roles[me.role]],
    [d.customRole, me.customRole ?? t.none],
    [d.company, me.companyName ?? t.none],
    [d.companyAddress, me.companyAddress ?? t.none],
    [d.companyPhone, me.companyPhone ?? t.none],
    [d.projects, <Projects me={me} />],
  ];
  return (
    <Card title={d.title} testId="profile-details">
      <DataList withDivider labelWidth={140} gap="xs" styles={{ itemValue: { minWidth: 0, overflowWrap: 'anywhere' } }}>
        {items.map(([label, value]) => (
          <DataList.Item key={label}>
            <DataList.ItemLabel>{label}</DataList.ItemLabel>
            <DataList.ItemValue>{value}</DataList.ItemValue>
          </DataList.Item>
        ))}
      </DataList>
      <Text size="xs" c="dimmed" mt="sm">
        {me.role === 'SUPER_ADMIN' ? d.changeHintSuperAdmin : d.changeHint}
      </Text>
    </Card>
  );
}

function Projects({ me }: { me: UserView }) {
  if (me.role === 'SUPER_ADMIN') return <>{d.allProjects}</>;
  if (me.projects.length === 0) return <>{d.noProjects}</>;
  return (
    <Group gap={4}>
      {me.projects.map((project) => (
        <Badge key={project.id} variant="light" color={project.isActive ? 'blue' : 'gray'} tt="none">
          {project.name}
        </Badge>
      ))}
    </Group>
  );
}
