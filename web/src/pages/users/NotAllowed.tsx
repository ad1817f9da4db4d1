import { Alert, Button, Stack } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { t } from '../../messages';

/** A Sub User at /users (the API answered 403): why there is nothing here, and where its projects are. */
export function NotAllowed() {
  const n = t.users.notAllowed;
  return (
    <>
      <PageHeader title={t.users.title} />
      <Alert color="orange" icon={<IconLock aria-hidden />} title={n.title} role="alert" data-testid="not-allowed">
        <Stack gap="xs" align="flex-start">
          <span>{n.body}</span>
          <Button component={Link} to="/" size="xs" color="orange">
            {n.home}
          </Button>
        </Stack>
      </Alert>
    </>
  );
}
