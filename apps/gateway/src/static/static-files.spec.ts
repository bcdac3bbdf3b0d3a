import compress from '@fastify/compress';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { pickEncoding, readEncoded, registerPageSets } from './static-files';

const text = Buffer.from('const answer = 42;\n'.repeat(200));
const HASHED = 'app.0123456789ab.js';

/** The page sets' own build step (libs/sdk/build-tools.mjs), run on `dir` as a build runs it. */
function precompress(dir: string): void {
  const tools = require.resolve('@widget/sdk/build-tools.mjs');
  execFileSync(process.execPath, ['--input-type=module', '-e', `import { precompress } from ${JSON.stringify(tools)}; precompress(process.argv[1]);`, dir], { stdio: 'pipe' });
}

/** A gateway-like server: @fastify/compress for every route (as gateway-app.ts registers it), then one page set. */
async function serve(dir: string): Promise<{ app: FastifyInstance; warnings: unknown[][] }> {
  const warnings: unknown[][] = [];
  const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
  const app = Fastify();
  await app.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: 1024 });
  registerPageSets(app, [{ prefix: '/set/', dir, csp: "default-src 'none'" }], { demoMode: false, logger });
  await app.ready();
  return { app, warnings };
}

describe('page-set files, pre-compressed at build time', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'page-set-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the build writes .br and .gz beside each text file that gains, never for small files, images or manifests', () => {
    writeFileSync(join(dir, HASHED), text);
    writeFileSync(join(dir, 'tiny.js'), 'tiny();');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ pad: 'x'.repeat(2000) }));
    writeFileSync(join(dir, 'logo.png'), Buffer.alloc(2000));
    precompress(dir);
    expect(brotliDecompressSync(readFileSync(join(dir, `${HASHED}.br`))).equals(text)).toBe(true);
    expect(gunzipSync(readFileSync(join(dir, `${HASHED}.gz`))).equals(text)).toBe(true);
    expect(readEncoded(join(dir, HASHED)).br!.length).toBeLessThan(text.length / 10);
    for (const none of ['tiny.js.br', 'tiny.js.gz', 'manifest.json.br', 'logo.png.gz']) expect(existsSync(join(dir, none))).toBe(false);
    expect(readEncoded(join(dir, 'tiny.js'))).toEqual({ identity: Buffer.from('tiny();') });
  });

  it('serves the form the client accepts, with Vary; the file as it is, whole, for a Range; no URL for a .br', async () => {
    writeFileSync(join(dir, HASHED), text);
    writeFileSync(join(dir, 'tiny.js'), 'tiny();');
    precompress(dir);
    const { app, warnings } = await serve(dir);
    const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
    try {
      const br = await get(`/set/${HASHED}`, { 'accept-encoding': 'gzip, deflate, br' });
      expect({ status: br.statusCode, encoding: br.headers['content-encoding'], vary: br.headers.vary }).toEqual({ status: 200, encoding: 'br', vary: 'accept-encoding' });
      expect(br.rawPayload.equals(readFileSync(join(dir, `${HASHED}.br`)))).toBe(true);
      const gzip = await get(`/set/${HASHED}`, { 'accept-encoding': 'gzip, br;q=0' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.rawPayload).equals(text)).toBe(true);
      const plain = await get(`/set/${HASHED}`);
      expect({ encoding: plain.headers['content-encoding'], vary: plain.headers.vary, same: plain.rawPayload.equals(text) }).toEqual({ encoding: undefined, vary: 'accept-encoding', same: true });
      const range = await get(`/set/${HASHED}`, { 'accept-encoding': 'br, gzip', range: 'bytes=0-99' });
      expect({ status: range.statusCode, encoding: range.headers['content-encoding'], whole: range.rawPayload.equals(text) }).toEqual({ status: 200, encoding: undefined, whole: true });
      const tiny = await get('/set/tiny.js', { 'accept-encoding': 'br' });
      expect({ encoding: tiny.headers['content-encoding'], vary: tiny.headers.vary, body: tiny.payload }).toEqual({ encoding: undefined, vary: undefined, body: 'tiny();' });
      expect((await get(`/set/${HASHED}.br`)).statusCode).toBe(404);
      expect(warnings).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('a build without them: the file goes out as it is (never compressed at run time), with a warning naming it', async () => {
    writeFileSync(join(dir, HASHED), text);
    const { app, warnings } = await serve(dir);
    try {
      const res = await app.inject({ method: 'GET', url: `/set/${HASHED}`, headers: { 'accept-encoding': 'br, gzip' } });
      expect({ encoding: res.headers['content-encoding'], same: res.rawPayload.equals(text) }).toEqual({ encoding: undefined, same: true });
      expect(warnings).toEqual([[{ dir, files: [HASHED] }, expect.stringContaining('without its .br/.gz files')]]);
    } finally {
      await app.close();
    }
  });
});

describe('pickEncoding', () => {
  it('picks brotli, then gzip, by Accept-Encoding; q=0 refuses one; * accepts any', () => {
    const encoded = { identity: text, br: Buffer.from('b'), gzip: Buffer.from('g') };
    expect(pickEncoding(encoded, 'gzip, deflate, br')).toBe('br');
    expect(pickEncoding(encoded, 'gzip, br;q=0')).toBe('gzip');
    expect(pickEncoding(encoded, 'br;q=0.0, gzip;q=0')).toBe('identity');
    expect(pickEncoding(encoded, '*')).toBe('br');
    expect(pickEncoding(encoded, undefined)).toBe('identity');
    expect(pickEncoding({ identity: text }, 'br, gzip')).toBe('identity');
  });
});
