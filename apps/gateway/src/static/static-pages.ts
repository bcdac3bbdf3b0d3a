import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Errors } from '@widget/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { Logger } from 'pino';

/** A page set built into a `dist/` folder: `index.html` plus content-hashed assets. */
export interface StaticPageSet {
  /** URL prefix with both slashes, e.g. `/inbox/`. */
  prefix: string;
  dir: string;
  /** The page's Content-Security-Policy. */
  csp: string;
}

/** Same-origin only; no inline script or style, no eval; nothing may frame it. */
export const STRICT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Built browser apps sit beside the gateway: apps/<name>/dist, in the repository and in the image alike. */
export const appDist = (app: string) => resolve(__dirname, '..', '..', '..', app, 'dist');

/**
 * Minimal on purpose: the widget branch brings the gateway's page-set module
 * (static/page-sets.ts + static-files.ts, same dist/ layout and hash
 * convention). When it lands, this file goes and /inbox/ becomes one PAGE_SETS
 * line with `csp: () => STRICT_PAGE_CSP`.
 *
 * Serves built page sets from memory, read once at start-up: `index.html`
 * revalidated on every load, hashed assets cached for a year. Only the files
 * the build wrote exist; any other path under the prefix is the 404 envelope.
 */
export function registerStaticPages(app: NestFastifyApplication, sets: StaticPageSet[], logger: Logger): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  for (const set of sets) {
    if (!existsSync(join(set.dir, 'index.html'))) {
      logger.warn({ dir: set.dir }, `${set.prefix} is not built (npm run build): it answers not_found`);
      continue;
    }
    const files = new Map(readdirSync(set.dir).map((name) => [name, readFileSync(join(set.dir, name))]));
    const send = (reply: FastifyReply, name: string) => {
      const body = files.get(name);
      if (!body) throw Errors.notFound('route');
      const page = name === 'index.html';
      return reply
        .header('Content-Type', TYPES[extname(name)] ?? 'application/octet-stream')
        .header('Cache-Control', page ? 'no-cache' : 'public, max-age=31536000, immutable')
        .header('Content-Security-Policy', set.csp)
        .header('X-Content-Type-Options', 'nosniff')
        .header('Referrer-Policy', 'no-referrer')
        .send(body);
    };
    const bare = set.prefix.replace(/\/$/, '');
    fastify.get(bare, (_request, reply) => reply.redirect(set.prefix, 301));
    fastify.get(set.prefix, (_request, reply) => send(reply, 'index.html'));
    fastify.get(`${set.prefix}:file`, (request, reply) => send(reply, (request.params as { file: string }).file));
  }
}
