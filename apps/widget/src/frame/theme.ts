import type { WidgetView } from '@widget/sdk/core';
import { readableAgainst, readableOn } from './contrast';

/** The panel's backgrounds in light and dark mode (frame.css --sc-bg): theme-coloured text must read on both. */
const LIGHT_BG = '#ffffff';
const DARK_BG = '#16191d';

interface ThemeInput {
  primaryColor?: string;
  textColor?: string;
  mode?: 'light' | 'dark' | 'auto';
}
const hex = (value: string | undefined) => (value && /^#[0-9a-fA-F]{6}$/.test(value) ? value : undefined);

/** Theme from GET /config, overridden by the page's options; CSS custom properties set through the CSSOM (CSP-safe). */
export function applyTheme(config: WidgetView | null, override: ThemeInput = {}): void {
  const root = document.documentElement;
  const primary = hex(override.primaryColor) ?? config?.theme.primaryColor ?? '#1f6feb';
  const text = hex(override.textColor) ?? config?.theme.textColor ?? '#ffffff';
  root.style.setProperty('--sc-primary', primary);
  // Whatever colours a site picks, text reaches 4.5:1: on the theme colour, and in the theme colour on the panel.
  root.style.setProperty('--sc-on-primary', readableOn(primary, text));
  root.style.setProperty('--sc-link-light', readableAgainst(primary, LIGHT_BG));
  root.style.setProperty('--sc-link-dark', readableAgainst(primary, DARK_BG));
  root.dataset.mode = override.mode ?? config?.theme.mode ?? 'auto';
}
