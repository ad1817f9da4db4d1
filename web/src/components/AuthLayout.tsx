import { Anchor, Box, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { t } from '../messages';
import { ThemeToggle } from './ThemeToggle';

/** The frame of the pages before sign-in: one centred card, the theme switch, a way back to sign-in. */
export function AuthLayout({
  title,
  subtitle,
  children,
  width = 440,
  backToSignIn = false,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  width?: number;
  backToSignIn?: boolean;
}) {
  return (
    <Box mih="100vh" p="md">
      <Group justify="space-between">
        <Text fw={700}>{t.appName}</Text>
        <ThemeToggle />
      </Group>
      <Center component="main" mt="xl">
        <Paper withBorder shadow="sm" p="xl" w="100%" maw={width}>
          <Stack gap="md">
            <div>
              <Title order={1} size="h2">
                {title}
              </Title>
              {subtitle && (
                <Text c="dimmed" size="sm" mt={4}>
                  {subtitle}
                </Text>
              )}
            </div>
            {children}
            {backToSignIn && (
              <Anchor component={Link} to="/login" size="sm">
                {t.auth.backToSignIn}
              </Anchor>
            )}
          </Stack>
        </Paper>
      </Center>
    </Box>
  );
}
