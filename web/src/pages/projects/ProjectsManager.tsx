import { Button, Center, CloseButton, EmptyState, Loader, Stack, TextInput } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { IconApps, IconPlus, IconSearch } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useApi } from '../../app/context';
import { LoadFailed } from '../../components/LoadFailed';
import { PageHeader } from '../../components/PageHeader';
import { Paginator } from '../../components/Paginator';
import { t } from '../../messages';
import { CreateProjectModal } from './CreateProjectModal';
import { ProjectCards } from './ProjectCards';
import { ProjectsTable } from './ProjectsTable';
import { useListParams } from './useListParams';
import { useProjectActions } from './useProjectActions';

const p = t.projects;

/** The Super Admin's projects: search, pages, and every action on a project. */
export function ProjectsManager() {
  const api = useApi();
  const { search, page, input, setInput, setPage } = useListParams();
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const actions = useProjectActions();
  // Mantine's sm breakpoint, where the navigation becomes a drawer.
  const phone = useMediaQuery('(max-width: 48em)');
  const list = useQuery({
    queryKey: ['projects', 'list', { search, page }],
    queryFn: () => api.projects.list({ search, page }),
    placeholderData: keepPreviousData,
  });

  // A page that no longer exists (the last project of the last page deleted): go to the last one that does.
  // (Not from the previous page's placeholder answer, which knows nothing of the page asked for.)
  const totalPages = list.isPlaceholderData ? undefined : list.data?.meta?.totalPages;
  const total = list.data?.meta?.total ?? list.data?.data.length;
  useEffect(() => {
    if (totalPages !== undefined && totalPages > 0 && page > totalPages) setPage(totalPages);
  }, [totalPages, page, setPage]);

  const createButton = (
    <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={openCreate}>
      {p.create}
    </Button>
  );

  return (
    <Stack gap="md">
      <PageHeader title={p.title} description={p.subtitle} actions={createButton} />
      <TextInput
        label={p.searchLabel}
        placeholder={p.searchPlaceholder}
        leftSection={<IconSearch size={16} aria-hidden />}
        value={input}
        onChange={(event) => setInput(event.currentTarget.value)}
        rightSection={input ? <CloseButton aria-label={p.clearSearch} onClick={() => setInput('')} /> : null}
        maw={420}
        type="search"
      />
      {list.isPending ? (
        <Center py="xl">
          <Loader aria-label={p.loadingList} />
        </Center>
      ) : list.isError ? (
        <LoadFailed error={list.error} onRetry={() => list.refetch()} />
      ) : total === 0 && !search ? (
        <EmptyState
          icon={<IconApps size={32} aria-hidden />}
          withIndicatorBackground
          title={p.empty.title}
          description={p.empty.body}
          py="xl"
        >
          <EmptyState.Actions>{createButton}</EmptyState.Actions>
        </EmptyState>
      ) : total === 0 ? (
        <EmptyState icon={<IconSearch size={32} aria-hidden />} title={p.empty.noMatchTitle} description={p.empty.noMatch(search)} py="xl">
          <EmptyState.Actions>
            <Button variant="default" onClick={() => setInput('')}>
              {p.clearSearch}
            </Button>
          </EmptyState.Actions>
        </EmptyState>
      ) : (
        <div aria-busy={list.isFetching}>
          {phone ? (
            <ProjectCards projects={list.data.data} actions={actions} />
          ) : (
            <ProjectsTable projects={list.data.data} actions={actions} />
          )}
          <Paginator meta={list.data.meta} onChange={setPage} />
        </div>
      )}
      <CreateProjectModal opened={creating} onClose={closeCreate} />
      {actions.dialog}
    </Stack>
  );
}
