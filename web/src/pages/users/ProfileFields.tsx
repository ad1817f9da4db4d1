import { Fieldset, NumberInput, Stack, TextInput } from '@mantine/core';
import { t } from '../../messages';

const c = t.users.create;

/** What a Mantine form gives a field: its value, onChange, error… */
type InputProps = (field: 'companyName' | 'companyAddress' | 'companyPhone' | 'subUserLimit') => object;

/** A Project Admin's company, as created and as edited. */
export function CompanyFields({ inputProps }: { inputProps: InputProps }) {
  return (
    <Fieldset legend={c.company} variant="filled">
      <Stack gap="xs">
        <TextInput label={c.companyName} {...inputProps('companyName')} />
        <TextInput label={c.companyAddress} {...inputProps('companyAddress')} />
        <TextInput label={c.companyPhone} type="tel" {...inputProps('companyPhone')} />
      </Stack>
    </Fieldset>
  );
}

/** An Admin's sub-user limit (0–10,000, whole numbers: the contract's bounds). */
export function SubUserLimitInput({ inputProps }: { inputProps: InputProps }) {
  return (
    <NumberInput
      label={c.subUserLimit}
      description={c.subUserLimitHint}
      min={0}
      max={10_000}
      allowDecimal={false}
      allowNegative={false}
      {...inputProps('subUserLimit')}
    />
  );
}
