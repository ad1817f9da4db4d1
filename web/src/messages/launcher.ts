export const launcher = {
  title: 'My projects',
  empty: 'No project is assigned to you yet. Ask your administrator for access.',
  open: 'Open',
  opening: 'Opening…',
  inactive: 'Inactive',
  inactiveHint: 'This project is inactive and cannot be opened.',
  openLabel: (name: string) => `Open ${name}`,
};
