import type { WidgetView } from '@widget/sdk/core';

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
  root.style.setProperty('--sc-on-primary', text);
  root.dataset.mode = override.mode ?? config?.theme.mode ?? 'auto';
}
