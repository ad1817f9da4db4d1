import { Box, List, PasswordInput, type PasswordInputProps, Progress, Text, ThemeIcon } from '@mantine/core';
import { IconCheck, IconX } from '@tabler/icons-react';
import { PASSWORD_MIN_LENGTH, passwordLength } from '@xtown/contract';
import { useId } from 'react';
import { t } from '../messages';

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

/** A rough 0–4 strength from length and variety (the server still refuses common passwords). */
export function passwordStrength(password: string): number {
  if (!password) return 0;
  const length = passwordLength(password);
  const classes = [/\p{Ll}/u, /\p{Lu}/u, DIGIT, /[^\p{L}\p{Nd}]/u].filter((re) => re.test(password)).length;
  let score = length >= PASSWORD_MIN_LENGTH ? 1 : 0;
  if (length >= 12) score++;
  if (length >= 16) score++;
  if (classes >= 3) score++;
  return Math.min(4, score);
}

const COLORS = ['red', 'red', 'orange', 'yellow', 'teal'];

/** A new password with API.md's rules ticked off as you type and a strength meter. */
export function PasswordField(props: PasswordInputProps & { value: string }) {
  const rulesId = useId();
  const value = props.value;
  const rules = [
    { ok: passwordLength(value) >= PASSWORD_MIN_LENGTH, label: t.auth.passwordRules.length },
    { ok: LETTER.test(value), label: t.auth.passwordRules.letter },
    { ok: DIGIT.test(value), label: t.auth.passwordRules.digit },
  ];
  const strength = passwordStrength(value);
  const label = t.auth.strength[strength]!;
  return (
    <Box>
      <PasswordInput autoComplete="new-password" aria-describedby={rulesId} {...props} />
      <Progress
        value={value ? ((strength + 1) / 5) * 100 : 0}
        color={COLORS[strength]}
        size="sm"
        mt="xs"
        aria-label={t.auth.strengthLabel(value ? label : t.auth.strength[0]!)}
      />
      <Box id={rulesId} mt="xs">
        <Text size="xs" c="dimmed">
          {value ? t.auth.strengthLabel(label) : t.auth.passwordRules.title}
        </Text>
        <List size="xs" spacing={2} mt={4} center>
          {rules.map((rule) => (
            <List.Item
              key={rule.label}
              icon={
                <ThemeIcon color={rule.ok ? 'teal' : 'gray'} size={16} radius="xl" aria-hidden>
                  {rule.ok ? <IconCheck size={12} /> : <IconX size={12} />}
                </ThemeIcon>
              }
            >
              <span data-ok={rule.ok}>
                {rule.label}
                <span className="visually-hidden">{rule.ok ? ' (met)' : ' (not met)'}</span>
              </span>
            </List.Item>
          ))}
          <List.Item
            icon={
              <ThemeIcon color="gray" size={16} radius="xl" aria-hidden>
                ·
              </ThemeIcon>
            }
          >
            {t.auth.passwordRules.common}
          </List.Item>
        </List>
      </Box>
    </Box>
  );
}
