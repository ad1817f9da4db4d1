import { ActionIcon, Menu } from '@mantine/core';
import { IconDots, IconExternalLink, IconKey, IconPencil, IconPlayerPause, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import type { ProjectView } from '@xtown/contract';
import { t } from '../../messages';
import type { ProjectActions } from './useProjectActions';

const a = t.projects.actions;

/** A row's actions behind one labelled button, so that the table stays narrow enough for a phone. */
export function ProjectMenu({ project, actions }: { project: ProjectView; actions: ProjectActions }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={t.projects.actionsFor(project.name)}>
          <IconDots size={18} aria-hidden />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          leftSection={<IconExternalLink size={16} aria-hidden />}
          disabled={!project.isActive}
          onClick={() => actions.open(project)}
        >
          {a.open}
        </Menu.Item>
        <Menu.Item leftSection={<IconPencil size={16} aria-hidden />} onClick={() => actions.edit(project)}>
          {a.edit}
        </Menu.Item>
        <Menu.Item
          leftSection={project.isActive ? <IconPlayerPause size={16} aria-hidden /> : <IconPlayerPlay size={16} aria-hidden />}
          onClick={() => actions.toggleActive(project)}
        >
          {project.isActive ? a.deactivate : a.activate}
        </Menu.Item>
        <Menu.Item leftSection={<IconKey size={16} aria-hidden />} onClick={() => actions.rotate(project)}>
          {a.rotate}
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => actions.remove(project)}>
          {a.delete}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
