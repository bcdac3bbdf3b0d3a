// Shared by the browser packages' build scripts (libs/sdk, apps/widget): content-hashed
// output, gzip budgets printed and enforced, and the frame schema bundled from source.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * `@widget/contracts/frame` from its TypeScript source (ES modules), so esbuild
 * tree-shakes zod's small engine instead of pulling the CommonJS build whole.
 */
export const contractsFromSource = {
  name: 'contracts-from-source',
  setup(build) {
    build.onResolve({ filter: /^@widget\/contracts\/frame$/ }, () => ({ path: resolve(here, '../contracts/src/frame.ts') }));
  },
};

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
