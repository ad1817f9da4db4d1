import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { t } from '../../messages';
import type { RoleFilter, UserListParams, YesNo } from './listParams';

const f = t.users.filters;

/** Search (debounced into the URL), the role filter (the Super Admin's only), activation and suspension. */
export function UserFilters({
  params,
  update,
  withRole,
  filtered,
  clear,
}: {
  params: UserListParams;
  update: (changes: Partial<UserListParams>) => void;
  withRole: boolean;
  filtered: boolean;
  clear: () => void;
}) {
  const [text, setText] = useState(params.search);
  const [debounced] = useDebouncedValue(text.trim(), 300);
  // Typing reaches the URL once it pauses; the URL (a link, Back, Clear) reaches the box at once.
  useEffect(() => {
    if (debounced !== params.search) update({ search: debounced });
  }, [debounced]);
  useEffect(() => {
    if (params.search !== debounced) setText(params.search);
  }, [params.search]);

  return (
    <Group role="search" aria-label={f.label} align="flex-end" gap="sm" mb="md" wrap="wrap">
      <TextInput
        label={f.search}
        placeholder={f.searchPlaceholder}
        type="search"
        leftSection={<IconSearch size={16} aria-hidden />}
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        style={{ flex: '1 1 220px' }}
      />
      {withRole && (
        <NativeSelect
          label={f.role}
          value={params.role}
          onChange={(event) => update({ role: event.currentTarget.value as RoleFilter })}
          data={[
            { value: '', label: f.allRoles },
            { value: 'ADMIN', label: f.admins },
            { value: 'SUB_USER', label: f.subUsers },
          ]}
          style={{ flex: '0 1 170px' }}
        />
      )}
      <NativeSelect
        label={f.activated}
        value={params.activated}
        onChange={(event) => update({ activated: event.currentTarget.value as YesNo })}
        data={[
          { value: '', label: f.all },
          { value: 'yes', label: f.activatedYes },
          { value: 'no', label: f.activatedNo },
        ]}
        style={{ flex: '0 1 170px' }}
      />
      <NativeSelect
        label={f.suspended}
        value={params.suspended}
        onChange={(event) => update({ suspended: event.currentTarget.value as YesNo })}
        data={[
          { value: '', label: f.all },
          { value: 'yes', label: f.suspendedYes },
          { value: 'no', label: f.suspendedNo },
        ]}
        style={{ flex: '0 1 170px' }}
      />
      {filtered && (
        <Button variant="subtle" onClick={clear}>
          {f.clear}
        </Button>
      )}
    </Group>
  );
}
