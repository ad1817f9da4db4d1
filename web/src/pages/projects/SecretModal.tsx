import { Alert, Button, Code, CopyButton, Group, Stack, Text, VisuallyHidden } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { t } from '../../messages';

const s = t.projects.secret;

interface Shown {
  name: string;
  clientSecret: string;
  /** After a rotation: until when the old secret works (null: it stopped at once); absent at creation. */
  previousSecretValidUntil?: string | null;
}

/**
 * The client secret, shown this once. Only the explicit "I have stored it" closes it: a click beside it or
 * Escape must not lose a secret that can never be shown again.
 */
export function openSecretModal(shown: Shown) {
  const id = modals.open({
    title: s.title,
    size: 'lg',
    closeOnClickOutside: false,
    closeOnEscape: false,
    withCloseButton: false,
    children: <SecretView {...shown} onDone={() => modals.close(id)} />,
  });
}

function SecretView({ name, clientSecret, previousSecretValidUntil, onDone }: Shown & { onDone: () => void }) {
  return (
    <Stack gap="sm" data-testid="secret-modal">
      <Text size="sm">{s.intro(name)}</Text>
      <Alert color="orange" icon={<IconAlertTriangle aria-hidden />} role="alert">
        {s.warning}
      </Alert>
      <Stack gap={4}>
        <Text size="sm" fw={500} id="client-secret-label">
          {s.label}
        </Text>
        <Group gap="xs" wrap="nowrap" align="stretch">
          <Code
            block
            aria-labelledby="client-secret-label"
            data-testid="client-secret"
            style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap', userSelect: 'all' }}
          >
            {clientSecret}
          </Code>
          <CopyButton value={clientSecret} timeout={2000}>
            {({ copied, copy }) => (
              <>
                <VisuallyHidden aria-live="polite">{copied ? s.copied : ''}</VisuallyHidden>
                <Button
                  variant={copied ? 'filled' : 'light'}
                  color={copied ? 'teal' : undefined}
                  leftSection={copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
                  onClick={copy}
                  aria-label={copied ? s.copied : s.copy}
                  style={{ height: 'auto' }}
                >
                  {copied ? t.copied : t.copy}
                </Button>
              </>
            )}
          </CopyButton>
        </Group>
      </Stack>
      {previousSecretValidUntil !== undefined && (
        <Text size="sm" data-testid="old-secret">
          {previousSecretValidUntil ? s.oldUntil(t.projects.formatDateTime(previousSecretValidUntil)) : s.oldStopped}
        </Text>
      )}
      <Group justify="flex-end">
        <Button onClick={onDone}>{s.stored}</Button>
      </Group>
    </Stack>
  );
}
