import { en, Messages } from './en';

/** Locales bundled with the frame; add one by adding its file here. English fills any gap. */
const LOCALES: Record<string, Partial<Messages>> = { en };

let current: Messages = en;

export function setLocale(locale: string | undefined): void {
  const base = (locale ?? 'en').toLowerCase().split('-')[0]!;
  current = { ...en, ...(LOCALES[base] ?? {}) };
  document.documentElement.lang = LOCALES[base] ? base : 'en';
}

export function t(key: keyof Messages, vars: Record<string, string | number> = {}): string {
  return current[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** A name set into a sentence (a string, not an element): first-strong isolate … pop, so an RTL override in it stays inside. */
export function isolated(text: string): string {
  return `\u2068${text}\u2069`;
}
