import { Title } from '@mantine/core';
import { useMe } from '../../app/useMe';
import { ProjectLauncher } from '../../components/ProjectLauncher';
import { t } from '../../messages';

/** Home: a Sub User's launcher; the statistics come for the admins. */
export default function HomePage() {
  const me = useMe();
  if (me.data?.role === 'SUB_USER') return <ProjectLauncher />;
  return (
    <>
      <Title order={2}>{t.nav.home}</Title>
      <ProjectLauncher />
    </>
  );
}
