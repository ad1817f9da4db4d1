import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { t } from '../messages';

export function NotFoundPage() {
  return (
    <Stack align="flex-start" p="md">
      <Title order={2}>{t.notFound.title}</Title>
      <Text>{t.notFound.body}</Text>
      <Button component={Link} to="/">
        {t.notFound.home}
      </Button>
    </Stack>
  );
}
