import { Title } from '@mantine/core';

export default function UserPage() {
  return <Title order={2}>UserPage</Title>;
}
