import '@mantine/charts/styles.css';
import { Stack } from '@mantine/core';
import { PageLoader } from '../../app/SessionGate';
import { useMe } from '../../app/useMe';
import { PageHeader } from '../../components/PageHeader';
import { ProjectLauncher } from '../../components/ProjectLauncher';
import { t } from '../../messages';
import { Figures } from './Figures';

/**
 * Home. The Super Admin and Admins see their statistics (Sub Users may not: the API answers 403), then everyone
 * sees the projects they may open. The charts' code and styles load with this page, never with the sign-in page.
 */
export default function HomePage() {
  const me = useMe();
  if (!me.data) return <PageLoader />;
  if (me.data.role === 'SUB_USER') return <ProjectLauncher />;
  return (
    <Stack gap="xl">
      <div>
        <PageHeader title={t.home.title} description={t.home.refreshNote} />
        <Figures me={me.data} />
      </div>
      <ProjectLauncher />
    </Stack>
  );
}
