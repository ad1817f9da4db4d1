import { PageLoader } from '../../app/SessionGate';
import { useMe } from '../../app/useMe';
import { ProjectLauncher } from '../../components/ProjectLauncher';
import { ProjectsManager } from './ProjectsManager';

/** /projects: the Super Admin's table of every project; for everyone else, their launcher. */
export default function ProjectsPage() {
  const me = useMe();
  if (me.isPending) return <PageLoader />;
  if (me.data?.role !== 'SUPER_ADMIN') return <ProjectLauncher />;
  return <ProjectsManager />;
}
