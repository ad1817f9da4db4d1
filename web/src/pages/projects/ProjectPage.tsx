import { Title } from '@mantine/core';

export default function ProjectPage() {
  return <Title order={2}>ProjectPage</Title>;
}
