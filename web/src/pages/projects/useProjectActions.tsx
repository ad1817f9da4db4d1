import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import type { ProjectView } from '@xtown/contract';
import { type ReactNode, useState } from 'react';
import { describeError } from '../../api/describe';
import { useApi } from '../../app/context';
import { t } from '../../messages';
import { DeleteProjectModal } from './DeleteProjectModal';
import { EditProjectModal } from './EditProjectModal';
import { RotateSecretModal } from './RotateSecretModal';

type Dialog = { kind: 'edit' | 'rotate' | 'delete'; project: ProjectView };

export interface ProjectActions {
  /** The open dialog, to render once in the page. */
  dialog: ReactNode;
  open(project: ProjectView): void;
  edit(project: ProjectView): void;
  toggleActive(project: ProjectView): void;
  rotate(project: ProjectView): void;
  remove(project: ProjectView): void;
}

const failed = (title: string, error: unknown) => notifications.show({ color: 'red', title, message: describeError(error) });

/** The Super Admin's actions on a project, shared by the table's row menu and the project's page. */
export function useProjectActions({ onDeleted }: { onDeleted?: () => void } = {}): ProjectActions {
  const api = useApi();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = () => setDialog(null);
  const setActive = useMutation({
    mutationFn: ({ project, isActive }: { project: ProjectView; isActive: boolean }) => api.projects.update(project.id, { isActive }),
  });

  const toggleActive = (project: ProjectView) => {
    const deactivate = project.isActive;
    const m = t.projects.toggle;
    modals.openConfirmModal({
      title: deactivate ? m.deactivateTitle(project.name) : m.activateTitle(project.name),
      children: <Text size="sm">{deactivate ? m.deactivateBody : m.activateBody}</Text>,
      labels: { confirm: deactivate ? t.projects.actions.deactivate : t.projects.actions.activate, cancel: t.cancel },
      confirmProps: { color: deactivate ? 'red' : undefined },
      onConfirm: () =>
        setActive.mutate(
          { project, isActive: !deactivate },
          {
            onSuccess: () =>
              notifications.show({ color: 'teal', message: deactivate ? m.deactivated(project.name) : m.activated(project.name) }),
            onError: (error) => failed(project.name, error),
          },
        ),
    });
  };

  // As the launcher does: the redirect carries a one-time code (never a token) that the project's backend exchanges.
  const open = async (project: ProjectView) => {
    try {
      window.location.assign((await api.auth.projectToken(project.id)).data.redirectUrl);
    } catch (error) {
      failed(project.name, error);
    }
  };

  let element: ReactNode = null;
  if (dialog?.kind === 'edit') element = <EditProjectModal project={dialog.project} onClose={close} />;
  if (dialog?.kind === 'rotate') element = <RotateSecretModal project={dialog.project} onClose={close} />;
  if (dialog?.kind === 'delete') element = <DeleteProjectModal project={dialog.project} onClose={close} onDeleted={onDeleted} />;

  return {
    dialog: element,
    open: (project) => void open(project),
    edit: (project) => setDialog({ kind: 'edit', project }),
    toggleActive,
    rotate: (project) => setDialog({ kind: 'rotate', project }),
    remove: (project) => setDialog({ kind: 'delete', project }),
  };
}
