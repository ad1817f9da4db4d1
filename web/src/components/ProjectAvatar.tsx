import { Avatar, type AvatarProps } from '@mantine/core';

/** API.md: a project's icon is an https image or a short text (an emoji, two letters); else the name's initial. */
export function ProjectAvatar({ name, icon, ...props }: { name: string; icon: string | null | undefined } & AvatarProps) {
  if (icon && /^https:\/\//i.test(icon)) return <Avatar src={icon} alt="" radius="md" {...props} />;
  const text = icon?.trim() || name.trim().charAt(0).toUpperCase();
  return (
    <Avatar radius="md" color="blue" aria-hidden {...props}>
      {Array.from(text).slice(0, 2).join('')}
    </Avatar>
  );
}
