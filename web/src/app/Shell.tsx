import { AppShell, Avatar, Burger, Group, Menu, NavLink, ScrollArea, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconApps, IconHome, IconListDetails, IconLogout, IconUser, IconUsers } from '@tabler/icons-react';
import type { Role } from '@xtown/contract';
import { useAuth } from '@xtown/client/react';
import { Suspense } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { ThemeToggle } from '../components/ThemeToggle';
import { t } from '../messages';
import { PageLoader } from './SessionGate';
import { useMe } from './useMe';
import { LoadFailed } from '../components/LoadFailed';

interface NavItem {
  to: string;
  label: string;
  icon: typeof IconHome;
  roles: Role[];
}

const NAV: NavItem[] = [
  { to: '/', label: t.nav.home, icon: IconHome, roles: ['SUPER_ADMIN', 'ADMIN'] },
  { to: '/', label: t.nav.myProjects, icon: IconApps, roles: ['SUB_USER'] },
  { to: '/projects', label: t.nav.projects, icon: IconApps, roles: ['SUPER_ADMIN'] },
  { to: '/projects', label: t.nav.myProjects, icon: IconApps, roles: ['ADMIN'] },
  { to: '/users', label: t.nav.users, icon: IconUsers, roles: ['SUPER_ADMIN', 'ADMIN'] },
  { to: '/audit', label: t.nav.audit, icon: IconListDetails, roles: ['SUPER_ADMIN', 'ADMIN'] },
  { to: '/profile', label: t.nav.profile, icon: IconUser, roles: ['SUPER_ADMIN', 'ADMIN', 'SUB_USER'] },
];

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]!.toUpperCase())
    .join('');

/** The signed-in frame: header, role-dependent navigation (a drawer at a phone's width) and the page. */
export function Shell() {
  const [opened, { toggle, close }] = useDisclosure();
  const me = useMe();
  const auth = useAuth();
  const location = useLocation();

  if (me.isPending) return <PageLoader />;
  if (me.isError) return <LoadFailed error={me.error} onRetry={() => me.refetch()} />;
  const user = me.data;
  const items = NAV.filter((item) => item.roles.includes(user.role));

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">
        {t.skipToContent}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t.nav.openMenu} />
            <Title order={1} size="h4">
              {t.appName}
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ThemeToggle />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label={`${user.name}, ${t.roles[user.role]}`} data-testid="user-menu">
                  <Group gap="xs" wrap="nowrap">
                    <Avatar color="blue" radius="xl" size="md">
                      {initials(user.name)}
                    </Avatar>
                    <div className="user-menu-text">
                      <Text size="sm" fw={500} lh={1.2}>
                        {user.name}
                      </Text>
                      <Text size="xs" c="dimmed" lh={1.2}>
                        {t.roles[user.role]}
                      </Text>
                    </div>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item component={RouterLink} to="/profile" leftSection={<IconUser size={16} aria-hidden />}>
                  {t.nav.profile}
                </Menu.Item>
                <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void auth.signOut()}>
                  {t.nav.signOut}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t.nav.label}>
        <ScrollArea>
          {items.map((item) => (
            <NavLink
              key={item.label}
              component={RouterLink}
              to={item.to}
              end={item.to === '/'}
              label={item.label}
              leftSection={<item.icon size={18} aria-hidden />}
              active={item.to === '/' ? location.pathname === '/' : location.pathname.startsWith(item.to)}
              onClick={close}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Suspense fallback={<PageLoader />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
