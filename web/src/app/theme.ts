import {
  type CSSVariablesResolver,
  createTheme,
  defaultVariantColorsResolver,
  parseThemeColor,
  type VariantColorsResolver,
} from '@mantine/core';

/**
 * Light badges and alerts write their text in shade 6 on a pale tint of the same colour: 3–4:1 in the light
 * theme. Shade 9 darkened a little (yellow's shade 9 is still orange) passes WCAG AA there; the dark theme keeps
 * Mantine's (it passes).
 */
const variantColorResolver: VariantColorsResolver = (input) => {
  const defaults = defaultVariantColorsResolver(input);
  if (input.variant !== 'light') return defaults;
  const parsed = parseThemeColor({ color: input.color || input.theme.primaryColor, theme: input.theme });
  if (!parsed.isThemeColor) return defaults;
  return { ...defaults, color: `light-dark(color-mix(in srgb, var(--mantine-color-${parsed.color}-9) 70%, black), ${defaults.color})` };
};

export const theme = createTheme({
  primaryColor: 'blue',
  // White on blue.6 is 3.5:1; blue.8 passes WCAG AA (4.5:1) for the buttons' text in both themes.
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  // Visible focus for keyboard users, on every control.
  focusRing: 'auto',
  variantColorResolver,
});

/** Mantine's dimmed and placeholder greys are about 3.3:1; WCAG AA wants 4.5:1 for text, so they are one shade further from the background. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)', '--mantine-color-placeholder': 'var(--mantine-color-gray-7)' },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)', '--mantine-color-placeholder': 'var(--mantine-color-dark-1)' },
});
