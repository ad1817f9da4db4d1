import { Center, Loader, SimpleGrid, Stack } from '@mantine/core';
import { useMe } from '../../app/useMe';
import { LoadFailed } from '../../components/LoadFailed';
import { PageHeader } from '../../components/PageHeader';
import { t } from '../../messages';
import { ChangePasswordCard } from './ChangePasswordCard';
import { ProfileDetails } from './ProfileDetails';
import { SessionsCard } from './SessionsCard';

/** /profile, for every role: one's own details, the password, and signing out (here or everywhere). */
export default function ProfilePage() {
  const me = useMe();
  if (me.isError) return <LoadFailed error={me.error} onRetry={() => me.refetch()} />;
  if (me.isPending)
    return (
      <Center py="xl">
        <Loader aria-label={t.loading} />
      </Center>
    );
  return (
    <>
      <PageHeader title={t.profile.title} description={t.profile.description} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md" style={{ alignItems: 'start' }}>
        <ProfileDetails me={me.data} />
        <Stack gap="md">
          <ChangePasswordCard />
          <SessionsCard />
        </Stack>
      </SimpleGrid>
    </>
  );
}
