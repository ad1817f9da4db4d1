import { Title } from '@mantine/core';
import { useMe } from '../../app/useMe';
import { ProjectLauncher } from '../../components/ProjectLauncher';

/** /projects: the Super Admin's table of every project; for everyone else, their launcher. */
export default function ProjectsPage() {
  const me = useMe();
  if (me.data?.role !== 'SUPER_ADMIN') return <ProjectLauncher />;
  return <Title order={2}>Projects</Title>;
}
