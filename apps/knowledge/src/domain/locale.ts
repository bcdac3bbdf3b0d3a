/**
 * Language subtag → PostgreSQL text search configuration (stemmer and stop
 * words). Languages PostgreSQL ships no stemmer for use `simple`: exact words.
 */
const TS_CONFIGS: Record<string, string> = {
  ar: 'arabic',
  ca: 'catalan',
  da: 'danish',
  de: 'german',
  el: 'greek',
  en: 'english',
  es: 'spanish',
  eu: 'basque',
  fi: 'finnish',
  fr: 'french',
  ga: 'irish',
  hi: 'hindi',
  hu: 'hungarian',
  hy: 'armenian',
  id: 'indonesian',
  it: 'italian',
  lt: 'lithuanian',
  nb: 'norwegian',
  ne: 'nepali',
  nl: 'dutch',
  nn: 'norwegian',
  no: 'norwegian',
  pt: 'portuguese',
  ro: 'romanian',
  ru: 'russian',
  sr: 'serbian',
  sv: 'swedish',
  ta: 'tamil',
  tr: 'turkish',
  yi: 'yiddish',
};

export interface LocaleInfo {
  /** Canonical casing: language lower-case, region upper-case (pt-BR). */
  locale: string;
  language: string;
  tsConfig: string;
}

export function localeInfo(tag: string): LocaleInfo {
  const parts = tag.split('-');
  const language = parts[0].toLowerCase();
  const rest = parts.slice(1).map((p) => (p.length === 2 ? p.toUpperCase() : p.length === 4 ? p[0].toUpperCase() + p.slice(1).toLowerCase() : p.toLowerCase()));
  return { locale: [language, ...rest].join('-'), language, tsConfig: TS_CONFIGS[language] ?? 'simple' };
}
