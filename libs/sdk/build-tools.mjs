// Shared by the browser packages' build scripts (libs/sdk, apps/widget, apps/inbox): content-hashed
// output, gzip budgets printed and enforced, the frame schema bundled from source, and every
// served text file pre-compressed (brotli and gzip) beside itself.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * `@widget/contracts/frame`, `@widget/contracts/wire` (the route table, event names, handshake keys and error
 * envelope, no zod) and `@widget/contracts/form-values`
 * (the rules of a form's values) from their
 * TypeScript source (ES modules), so esbuild tree-shakes them (zod's small engine, the other API's
 * routes) instead of pulling the CommonJS builds whole.
 */
const CONTRACTS_SOURCES = { frame: 'frame.ts', wire: 'wire.ts', 'form-values': 'form-values.ts' };
export const contractsFromSource = {
  name: 'contracts-from-source',
  setup(build) {
    build.onResolve({ filter: /^@widget\/contracts\/(frame|wire|form-values)$/ }, (args) => ({
      path: resolve(here, '../contracts/src', CONTRACTS_SOURCES[args.path.slice('@widget/contracts/'.length)]),
    }));
    // A browser calls routes and never shows their summaries (the OpenAPI documents do): left out, they cost no bytes.
    build.onLoad({ filter: /[\\/]contracts[\\/]src[\\/]route-paths\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(ROUTE_SUMMARY, "$1''"),
      loader: 'ts',
    }));
  },
};
/** A route's summary: the third argument of `widget(…)`/`admin(…)` in route-paths.ts, quoted either way. */
const ROUTE_SUMMARY = /(\b(?:widget|admin)\('(?:GET|POST|PUT|PATCH|DELETE)', '[^']*', )(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")/g;

export const hashOf = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 12);
export const gzipSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

export function cleanDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Writes `<name>.<hash>.<ext>` into dir and returns the file name. */
export function writeHashed(dir, name, ext, bytes) {
  const file = `${name}.${hashOf(bytes)}.${ext}`;
  writeFileSync(join(dir, file), bytes);
  return file;
}

/** Prints the gzip size against its budget; a bundle over budget fails the build. */
export function checkBudget(label, bytes, budgetKb) {
  const size = gzipSize(bytes);
  const kb = (size / 1024).toFixed(1);
  const line = `[size] ${label}: ${kb} kB gzip (budget ${budgetKb} kB)`;
  if (size > budgetKb * 1024) {
    console.error(`${line} — OVER BUDGET`);
    process.exitCode = 1;
    throw new Error(`${label} is over its ${budgetKb} kB gzip budget`);
  }
  console.log(line);
  return size;
}

/** Text the gateway sends compressed (images are compressed already); manifests and source maps are never served. */
const COMPRESSIBLE = /\.(js|css|html|json|svg)$/;
const NOT_SERVED = /(^|\/)manifest\.json$|\.map$/;
/** Below this, compressing gains less than its headers cost: the gateway sends such a file as it is. */
export const PRECOMPRESS_MIN_BYTES = 512;

/**
 * Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) beside every text file the gateway
 * serves from `dir` (sub-folders included), each only when it is smaller than the file. The gateway sends
 * them by Accept-Encoding (apps/gateway/src/static/static-files.ts) and compresses no page-set file itself.
 * Run last, once the folder holds its final files.
 */
export function precompress(dir) {
  const totals = { files: 0, identity: 0, br: 0, gzip: 0 };
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const file = join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      if (!entry.isFile() || !COMPRESSIBLE.test(entry.name) || NOT_SERVED.test(entry.name)) continue;
      const bytes = readFileSync(file);
      if (bytes.length < PRECOMPRESS_MIN_BYTES) continue;
      const br = brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
      const gz = gzipSync(bytes, { level: 9 });
      if (br.length < bytes.length) writeFileSync(`${file}.br`, br);
      if (gz.length < bytes.length) writeFileSync(`${file}.gz`, gz);
      totals.files++;
      totals.identity += bytes.length;
      totals.br += Math.min(br.length, bytes.length);
      totals.gzip += Math.min(gz.length, bytes.length);
    }
  };
  if (!existsSync(dir)) throw new Error(`precompress: ${dir} does not exist`);
  walk(dir);
  const where = relative(process.cwd(), dir) || '.';
  console.log(`[precompress] ${where}: ${totals.files} files, ${totals.identity} B → brotli ${totals.br} B, gzip ${totals.gzip} B`);
  return totals;
}
