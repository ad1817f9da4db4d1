import { createTheme, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // White on blue.6 is 3.5:1; blue.8 passes WCAG AA (4.5:1) for the buttons' text in both themes.
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  // Visible focus for keyboard users, on every control.
  focusRing: 'auto',
});

/** Mantine's dimmed grey is 3.3:1 on white; WCAG AA wants 4.5:1 for body text, so secondary text is one shade darker. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
});
