import '@mantine/dates/styles.css';
import { Autocomplete, Button, Group, Paper, Select, SimpleGrid, Text, TextInput } from '@mantine/core';
import { DatePickerInput, type DatesRangeValue } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { IconFilterOff } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { t } from '../../messages';
import { type AuditFilters, type FilterName, validAction, validUserId } from './auditFilters';

const m = t.audit.filters;
const ACTIONS = Object.keys(t.audit.actions).sort();

/**
 * A typed filter: shown at once, written to the URL (which drives the query) once the typing pauses and the value
 * is valid; a change of the URL from elsewhere (Back, Clear) is shown in the field.
 */
function useTypedFilter(fromUrl: string, valid: (value: string) => boolean, commit: (value: string) => void) {
  const [value, setValue] = useState(fromUrl);
  const [debounced] = useDebouncedValue(value.trim(), 350);
  const committed = useRef(fromUrl);
  useEffect(() => {
    if (fromUrl !== committed.current) {
      committed.current = fromUrl;
      setValue(fromUrl);
    }
  }, [fromUrl]);
  useEffect(() => {
    if (debounced === committed.current || (debounced && !valid(debounced))) return;
    committed.current = debounced;
    commit(debounced);
  }, [debounced]);
  const error = value.trim() !== '' && !valid(value.trim());
  return { value, setValue, error };
}

export function FilterBar({
  filters,
  update,
  clear,
  active,
}: {
  filters: AuditFilters;
  update: (changes: Partial<Record<FilterName, string | null>>) => void;
  clear: () => void;
  active: boolean;
}) {
  const action = useTypedFilter(filters.action, validAction, (value) => update({ action: value }));
  const userId = useTypedFilter(filters.userId, validUserId, (value) => update({ userId: value }));
  // A range being picked (one end chosen) stays here until its second end is chosen.
  const [range, setRange] = useState<DatesRangeValue<string>>([filters.from || null, filters.to || null]);
  useEffect(() => setRange([filters.from || null, filters.to || null]), [filters.from, filters.to]);
  const pickRange = (value: DatesRangeValue<string>) => {
    setRange(value);
    const [from, to] = value;
    if ((from && to) || (!from && !to)) update({ from, to });
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={m.label} mb="md">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        <Autocomplete
          label={m.action}
          placeholder={m.actionPlaceholder}
          data={ACTIONS.map((value) => ({ value, label: value }))}
          renderOption={({ option }) => (
            <div>
              <Text size="sm">{option.value}</Text>
              <Text size="xs" c="dimmed">
                {t.audit.actions[option.value]}
              </Text>
            </div>
          )}
          value={action.value}
          onChange={action.setValue}
          error={action.error ? m.actionInvalid : undefined}
          clearable
          clearButtonProps={{ 'aria-label': m.clearAction }}
          limit={40}
          maxDropdownHeight={280}
          autoComplete="off"
        />
        <TextInput
          label={m.userId}
          placeholder={m.userIdPlaceholder}
          inputMode="numeric"
          value={userId.value}
          onChange={(event) => userId.setValue(event.currentTarget.value)}
          error={userId.error ? m.userIdInvalid : undefined}
          autoComplete="off"
        />
        <DatePickerInput
          type="range"
          label={m.dates}
          placeholder={m.datesPlaceholder}
          value={range}
          onChange={pickRange}
          allowSingleDateInRange
          clearable
          clearButtonProps={{ 'aria-label': m.clearDates }}
          ariaLabels={m.calendar}
          valueFormat="D MMM YYYY"
          maxDate={new Date()}
        />
        <Select
          label={m.success}
          data={[
            { value: 'any', label: m.any },
            { value: 'true', label: m.succeeded },
            { value: 'false', label: m.failed },
          ]}
          value={filters.success}
          onChange={(value) => update({ success: value ?? 'any' })}
          allowDeselect={false}
        />
      </SimpleGrid>
      {active && (
        <Group justify="flex-end" mt="sm">
          <Button variant="subtle" size="xs" leftSection={<IconFilterOff size={14} aria-hidden />} onClick={clear}>
            {m.clear}
          </Button>
        </Group>
      )}
    </Paper>
  );
}
