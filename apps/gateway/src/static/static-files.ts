import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
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

/** Text worth compressing (images are compressed already). */
const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.json', '.svg']);

/** A file as sent: the bytes, and their brotli and gzip forms when those are smaller. */
export interface Encoded {
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Compressed once, at the highest settings (the files never change while the process runs), on zlib's thread
 * pool: start-up does not wait for it (about half a second of CPU for every page set), and until it is done
 * the file goes out as it is.
 */
export async function encodeOnce(body: Buffer, ext: string): Promise<Encoded> {
  if (!COMPRESSIBLE.has(ext) || body.length < 512) return { identity: body };
  const [br, gz] = await Promise.all([
    brotliAsync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    gzipAsync(body, { level: 9 }),
  ]);
  return { identity: body, ...(br.length < body.length && { br }), ...(gz.length < body.length && { gzip: gz }) };
}

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

function sendEncoded(request: FastifyRequest, file: Encoded): { body: Buffer; encoding?: string } {
  const encoding = pickEncoding(file, request.headers['accept-encoding']);
  return encoding === 'identity' ? { body: file.identity } : { body: file[encoding]!, encoding };
}

/**
 * Serves each page set's files from memory, one exact route per file (read
 * once at start-up: no path from the URL ever touches the file system).
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
    for (const name of readdirSync(set.dir)) {
      const file = join(set.dir, name);
      if (!statSync(file).isFile() || name === 'manifest.json' || name.endsWith('.map')) continue;
      const body = readFileSync(file);
      const encoded: Encoded = { identity: body };
      // Filled in when compressed (encodeOnce); a failure leaves the file uncompressed.
      encodeOnce(body, extname(name)).then((done) => Object.assign(encoded, done), () => undefined);
      const type = TYPES[extname(name)] ?? 'application/octet-stream';
      // Every file, not only the pages: a script opened on its own is a document too.
      const headers: Record<string, string> = {
        'content-type': type,
        'cache-control': name.endsWith('.html') ? 'no-cache' : HASHED.test(name) ? IMMUTABLE : SHORT,
        'content-security-policy': set.csp,
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        ...(COMPRESSIBLE.has(extname(name)) && { vary: 'accept-encoding' }),
      };
      // The folder without its slash goes to the folder (relative asset URLs resolve from there).
      if (name === 'index.html') fastify.get(set.prefix.slice(0, -1), (_request, reply) => reply.redirect(set.prefix, 301));
      const urls = name === 'index.html' ? [set.prefix, `${set.prefix}${name}`] : [`${set.prefix}${name}`];
      for (const url of urls) {
        fastify.get(url, (request, reply) => {
          const { body, encoding } = sendEncoded(request, encoded);
          if (encoding) void reply.header('content-encoding', encoding);
          void reply.headers(headers).send(body);
        });
      }
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
