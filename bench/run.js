#!/usr/bin/env node
/**
 * `npm run bench`: boots one stack (real processes, real PostgreSQL and NATS,
 * a private database and NATS namespace) and runs every bench/*.bench.js in
 * name order. Each module exports `name` and `run(ctx)`, and returns figures
 * that are printed as JSON lines and collected in .stack/bench-results.json.
 * Kept out of `npm test`: figures are reported, never asserted.
 */
const { readdirSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { startStack, REPO_ROOT } = require('@widget/testing');

async function main() {
  const only = process.argv.slice(2);
  const modules = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  // EMBEDDINGS_* and RETRIEVAL_PROFILE from the environment reach the services (EMBEDDINGS_LOCAL=off: the knowledge bench lexical only).
  const embeddings = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EMBEDDINGS_') || k === 'RETRIEVAL_PROFILE'));
  const stack = await startStack({
    env: { LOG_LEVEL: 'warn', TEST_LOG_LEVEL: 'warn', ...embeddings }, // the stack's limits (GENEROUS_LIMITS) are far above any bench
  });
  const results = {};
  try {
    for (const file of modules) {
      const mod = require(join(__dirname, file));
      process.stdout.write(`\n== ${mod.name ?? file} ==\n`);
      const figures = await mod.run({ stack, log: (line) => process.stdout.write(`${line}\n`) });
      results[mod.name ?? file] = figures;
      process.stdout.write(`${JSON.stringify({ bench: mod.name ?? file, ...figures })}\n`);
    }
  } finally {
    await stack.stop();
  }
  mkdirSync(join(REPO_ROOT, '.stack'), { recursive: true });
  writeFileSync(join(REPO_ROOT, '.stack', 'bench-results.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
