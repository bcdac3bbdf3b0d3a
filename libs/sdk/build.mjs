// The SDK's two builds: the IIFE loader served as /widget/v1/widget.js (content-hashed,
// within 10 kB gzip), and ES modules with type declarations for sites that bundle.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { checkBudget, cleanDir, contractsFromSource, precompress, writeHashed } from './build-tools.mjs';

const LOADER_BUDGET_KB = 10;
const out = 'dist';
cleanDir(out);

// 1. The loader: one script, no dependencies at run time, for every browser of the last years.
const loader = await build({
  entryPoints: ['src/loader.ts'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2019'],
  write: false,
  legalComments: 'none',
  plugins: [contractsFromSource],
});
const loaderBytes = loader.outputFiles[0].contents;
cleanDir(join(out, 'loader'));
const hashed = writeHashed(join(out, 'loader'), 'widget', 'js', loaderBytes);
// widget.js: a short-lived pointer at the immutable, content-hashed file (the snippet's URL never changes). It adds
// the loader once the page has loaded: a script added before the load event holds that event until it has run.
const pointer = `(function(w,d){var c=d.currentScript,u=new URL(${JSON.stringify(hashed)},c&&c.src||location.href).href;function a(){var s=d.createElement("script");s.async=true;s.src=u;(d.head||d.documentElement).appendChild(s)}d.readyState==="complete"?a():w.addEventListener("load",a)})(window,document);\n`;
writeFileSync(join(out, 'loader', 'widget.js'), pointer);
writeFileSync(join(out, 'loader', 'manifest.json'), JSON.stringify({ 'widget.js': hashed }, null, 2));
checkBudget(`loader ${hashed}`, loaderBytes, LOADER_BUDGET_KB);
precompress(join(out, 'loader'));

// 2. ES modules for bundlers (socket.io-client stays a dependency), and the frame's core.
await build({
  entryPoints: { index: 'src/index.ts', core: 'src/core/index.ts' },
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  outdir: join(out, 'esm'),
  splitting: true,
  sourcemap: true,
  external: ['socket.io-client'],
  plugins: [contractsFromSource],
});
execFileSync(process.execPath, [new URL('../../node_modules/typescript/bin/tsc', import.meta.url).pathname, '-p', 'tsconfig.json', '--emitDeclarationOnly', '--declaration'], { stdio: 'inherit' });
console.log('[sdk] built dist/loader, dist/esm, dist/types');
