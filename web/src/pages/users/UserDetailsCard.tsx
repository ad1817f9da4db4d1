import { DataList } from '@mantine/core';
import type { UserView } from '@xtown/contract';
import type { ReactNode } from 'react';
import { t } from '../../messages';
import { formatDateTime } from './format';
import { personName } from './people';
import { Section } from './Section';

const f = t.users.fields;

export function Fields({ items }: { items: [string, ReactNode][] }) {
  return (
    <DataList withDivider labelWidth={140} gap="xs" styles={{ itemValue: { minWidth: 0, overflowWrap: 'anywhere' } }}>
      {items.map(([label, value]) => (
        <DataList.Item key={label}>
          <DataList.ItemLabel>{label}</DataList.ItemLabel>
          <DataList.ItemValue>{value}</DataList.ItemValue>
        </DataList.Item>
      ))}
    </DataList>
  );
}

/** The user's fields: role, company, custom role, an Admin's limit, activation, last sign-in, who created it. */
export function UserDetailsCard({ user, context }: { user: UserView; context: { me: UserView; admin: UserView | null } }) {
  const items: [string, ReactNode][] = [
    [f.role, t.roles[user.role]],
    [f.email, user.email],
    [f.customRole, user.customRole ?? t.none],
    [f.company, user.companyName ?? t.none],
    [f.companyAddress, user.companyAddress ?? t.none],
    [f.companyPhone, user.companyPhone ?? t.none],
  ];
  if (user.role === 'ADMIN') items.push([f.subUserLimit, user.subUserLimit]);
  items.push(
    [f.activated, user.isActive ? t.yes : t.no],
    [f.lastSignIn, formatDateTime(user.lastLoginAt, t.users.never)],
    [f.created, formatDateTime(user.createdAt)],
    [f.createdBy, personName(user.createdById, context)],
  );
  return (
    <Section title={t.users.sections.details} testId="user-details">
      <Fields items={items} />
    </Section>
  );
}
