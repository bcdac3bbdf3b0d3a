import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { PageSet } from './page-sets';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** name.<12 hex>.ext: the content decides the name, so the file may be cached for good. */
const HASHED = /\.[0-9a-f]{12}\.[a-z]+$/;
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Stable names (widget.js, index.html): a short cache, so a deploy reaches every page within minutes. */
export const SHORT = 'public, max-age=300';

/** Text worth compressing (images are compressed already): what the page sets' builds pre-compress. */
const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.json', '.svg']);
/** Smaller files are not pre-compressed (libs/sdk/build-tools.mjs PRECOMPRESS_MIN_BYTES). */
const PRECOMPRESSED_FROM_BYTES = 512;
/** What a build writes beside a file: its brotli and gzip forms. */
const ENCODED_SUFFIXES = { br: '.br', gzip: '.gz' } as const;

/** A file as sent: the bytes, and their brotli and gzip forms when the build wrote them. */
export interface Encoded {
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/**
 * A page-set file and the `.br` and `.gz` its build wrote beside it (libs/sdk/build-tools.mjs `precompress`,
 * brotli quality 11 and gzip level 9). Nothing is compressed here: a form the build did not write is not sent.
 */
export function readEncoded(file: string): Encoded {
  const encoded: Encoded = { identity: readFileSync(file) };
  for (const [encoding, suffix] of Object.entries(ENCODED_SUFFIXES) as [keyof typeof ENCODED_SUFFIXES, string][]) {
    if (existsSync(file + suffix)) encoded[encoding] = readFileSync(file + suffix);
  }
  return encoded;
}

/** A text file big enough to gain that came without its pre-compressed forms (a build older than them). */
const missesItsForms = (name: string, file: Encoded) =>
  COMPRESSIBLE.has(extname(name)) && file.identity.length >= PRECOMPRESSED_FROM_BYTES && (!file.br || !file.gzip);

/** The best encoding the client accepts (brotli, then gzip), by Accept-Encoding; q=0 refuses one. */
export function pickEncoding(file: Encoded, acceptEncoding: string | undefined): 'br' | 'gzip' | 'identity' {
  const accepted = new Map(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([name]) => name)
      .map(([name, ...params]) => [name.trim().toLowerCase(), params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p)) ? 0 : 1] as const),
  );
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (file.br && ok('br')) return 'br';
  if (file.gzip && ok('gzip')) return 'gzip';
  return 'identity';
}

/**
 * The form to send. A request with `Range` gets the file as it is, whole (200): a range of an encoded form
 * would count bytes of the compressed stream, which no client expects of a script.
 */
function sendEncoded(request: FastifyRequest, file: Encoded): { body: Buffer; encoding?: string } {
  const encoding = request.headers.range ? 'identity' : pickEncoding(file, request.headers['accept-encoding']);
  return encoding === 'identity' ? { body: file.identity } : { body: file[encoding]!, encoding };
}

/**
 * Serves each page set's files from memory, one exact route per file (read
 * once at start-up: no path from the URL ever touches the file system), each
 * with the brotli and gzip forms its build wrote beside it, chosen by
 * Accept-Encoding with `Vary: Accept-Encoding` (these routes are left out of
 * @fastify/compress: nothing of a page set is compressed at run time).
 * A page set whose folder is missing (the browser packages not built) is
 * skipped with a warning; the API works without it.
 */
export function registerPageSets(fastify: FastifyInstance, sets: PageSet[], options: { demoMode: boolean; logger: Logger }): void {
  let home: string | null = null;
  for (const set of sets) {
    if (set.demoOnly && !options.demoMode) continue;
    if (!existsSync(set.dir)) {
      options.logger.warn({ dir: set.dir }, `page set ${set.prefix} is not built (npm run build); not served`);
      continue;
    }
    if (set.home && !home) home = set.prefix;
    const uncompressed: string[] = [];
    for (const name of readdirSync(set.dir)) {
      const file = join(set.dir, name);
      // A .br or .gz is another form of the file beside it, never a URL of its own.
      if (!statSync(file).isFile() || name === 'manifest.json' || name.endsWith('.map') || /\.(br|gz)$/.test(name)) continue;
      const encoded = readEncoded(file);
      if (missesItsForms(name, encoded)) uncompressed.push(name);
      const type = TYPES[extname(name)] ?? 'application/octet-stream';
      // Every file, not only the pages: a script opened on its own is a document too.
      const headers: Record<string, string> = {
        'content-type': type,
        'cache-control': name.endsWith('.html') ? 'no-cache' : HASHED.test(name) ? IMMUTABLE : SHORT,
        'content-security-policy': set.csp,
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        ...((encoded.br || encoded.gzip) && { vary: 'accept-encoding' }),
      };
      // The folder without its slash goes to the folder (relative asset URLs resolve from there).
      if (name === 'index.html') fastify.get(set.prefix.slice(0, -1), (_request, reply) => reply.redirect(set.prefix, 301));
      const urls = name === 'index.html' ? [set.prefix, `${set.prefix}${name}`] : [`${set.prefix}${name}`];
      for (const url of urls) {
        fastify.get(url, { compress: false }, (request, reply) => {
          const { body, encoding } = sendEncoded(request, encoded);
          if (encoding) void reply.header('content-encoding', encoding);
          void reply.headers(headers).send(body);
        });
      }
    }
    if (uncompressed.length) {
      options.logger.warn({ dir: set.dir, files: uncompressed }, `page set ${set.prefix} was built without its .br/.gz files (npm run build); those files are sent uncompressed`);
    }
  }
  // Whoever opens the server's own address lands on a page (the demo, else the inbox), not a JSON 404.
  if (home) {
    const target = home;
    fastify.get('/', (_request, reply) => reply.redirect(target, 302));
  }
  // Browsers ask for it on every page; there is none, and no reason to log a 404 each time.
  fastify.get('/favicon.ico', (_request, reply) => reply.code(204).header('cache-control', SHORT).send());
}
