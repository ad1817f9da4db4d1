import { Progress, SimpleGrid, Stack, Text } from '@mantine/core';
import {
  IconApps,
  IconBuilding,
  IconCircleCheck,
  IconGauge,
  IconPlayerPause,
  IconUser,
  IconUserCheck,
  IconUserQuestion,
  IconUserShield,
  IconUsers,
} from '@tabler/icons-react';
import type { ProjectStats, UserStats, UserView } from '@xtown/contract';
import { LoadFailed } from '../../components/LoadFailed';
import { t } from '../../messages';
import { ActivityChart } from './ActivityChart';
import { OverviewBar, VerificationPie } from './BreakdownCharts';
import { RecentUsers } from './RecentUsers';
import { type Stat, StatCard, StatSkeleton } from './StatCard';
import { useProjectStats, useUserStats } from './useHomeData';

const s = t.home.stats;

function superAdminStats(users: UserStats, projects: ProjectStats): Stat[] {
  // The seed's "Companies" figure is the third bar of the system overview; the API has no other field for it.
  const companies = users.systemOverview.find((item) => item.name === 'Companies')?.value;
  const stats: Stat[] = [
    { id: 'totalUsers', label: s.totalUsers, value: users.totalUsers, icon: IconUsers, color: 'blue' },
    { id: 'projectAdmins', label: s.projectAdmins, value: users.projectAdmins, icon: IconUserShield, color: 'indigo' },
    { id: 'subUsers', label: s.subUsers, value: users.subUsers, icon: IconUser, color: 'cyan' },
    { id: 'verifiedUsers', label: s.verifiedUsers, value: users.verifiedUsers, icon: IconUserCheck, color: 'teal' },
    { id: 'unverifiedUsers', label: s.unverifiedUsers, value: users.unverifiedUsers, icon: IconUserQuestion, color: 'yellow' },
    { id: 'totalProjects', label: s.totalProjects, value: projects.totalProjects, icon: IconApps, color: 'grape' },
    { id: 'activeProjects', label: s.activeProjects, value: projects.activeProjects, icon: IconCircleCheck, color: 'green' },
    { id: 'inactiveProjects', label: s.inactiveProjects, value: projects.inactiveProjects, icon: IconPlayerPause, color: 'gray' },
  ];
  if (companies !== undefined) stats.push({ id: 'companies', label: s.companies, value: companies, icon: IconBuilding, color: 'orange' });
  return stats;
}

function adminStats(users: UserStats, projects: ProjectStats, me: UserView): Stat[] {
  const limit = me.subUserLimit;
  const used = users.subUsers;
  return [
    { id: 'subUsers', label: s.subUsers, value: used, icon: IconUser, color: 'cyan' },
    {
      id: 'subUserLimit',
      label: s.subUserLimit,
      value: t.home.limitInUse(used, limit),
      icon: IconGauge,
      color: used >= limit ? 'red' : 'blue',
      footer: (
        <>
          <Progress
            mt="xs"
            value={limit > 0 ? Math.min(100, (used / limit) * 100) : 100}
            color={used >= limit ? 'red' : 'blue'}
            aria-label={t.home.limitMeter(used, limit)}
          />
          {used >= limit && (
            <Text size="xs" c="dimmed" mt={4}>
              {t.home.limitReached}
            </Text>
          )}
        </>
      ),
    },
    { id: 'verifiedUsers', label: s.verifiedUsers, value: users.verifiedUsers, icon: IconUserCheck, color: 'teal' },
    { id: 'unverifiedUsers', label: s.unverifiedUsers, value: users.unverifiedUsers, icon: IconUserQuestion, color: 'yellow' },
    { id: 'totalProjects', label: s.assignedProjects, value: projects.totalProjects, icon: IconApps, color: 'grape' },
    { id: 'activeProjects', label: s.activeProjects, value: projects.activeProjects, icon: IconCircleCheck, color: 'green' },
    { id: 'inactiveProjects', label: s.inactiveProjects, value: projects.inactiveProjects, icon: IconPlayerPause, color: 'gray' },
  ];
}

/** The statistics of a Super Admin (the whole system) or an Admin (its sub users and projects); polled every 30 s. */
export function Figures({ me }: { me: UserView }) {
  const users = useUserStats();
  const projects = useProjectStats();
  const admin = me.role === 'ADMIN';
  const failed = users.error ?? projects.error;
  if (failed) return <LoadFailed error={failed} onRetry={() => void Promise.all([users.refetch(), projects.refetch()])} />;
  const ready = users.data && projects.data;
  const m = t.home.charts;
  return (
    <Stack gap="md">
      <SimpleGrid
        cols={{ base: 2, md: 3, xl: 4 }}
        spacing={{ base: 'xs', sm: 'md' }}
        component="section"
        aria-label={t.home.statsLabel}
        data-testid="stats"
      >
        {ready
          ? (admin ? adminStats(users.data, projects.data, me) : superAdminStats(users.data, projects.data)).map((stat) => (
              <StatCard key={stat.id} stat={stat} />
            ))
          : Array.from({ length: admin ? 7 : 9 }, (_, index) => <StatSkeleton key={index} />)}
      </SimpleGrid>
      {users.data && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <VerificationPie items={users.data.verification} title={admin ? m.adminVerification : m.verification} hint={m.verificationHint} />
          <OverviewBar
            items={users.data.systemOverview}
            title={admin ? m.adminOverview : m.overview}
            hint={admin ? m.adminOverviewHint : m.overviewHint}
          />
        </SimpleGrid>
      )}
      <ActivityChart />
      {users.data && <RecentUsers users={users.data.recentUsers} admin={admin} />}
    </Stack>
  );
}
