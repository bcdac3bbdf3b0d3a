// Bundles the inbox into dist/: index.html plus content-hashed JS and CSS (served by the gateway at /inbox/).
import { build } from 'esbuild';
import { contractsFromSource, precompress } from '@widget/sdk/build-tools.mjs';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src/main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: dist,
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [contractsFromSource],
});

// name.<12 hex of sha256>.ext, the convention of the widget's page sets: the gateway caches such names for good.
const written = {};
for (const file of result.outputFiles) {
  const ext = extname(file.path);
  const name = `main.${createHash('sha256').update(file.contents).digest('hex').slice(0, 12)}${ext}`;
  writeFileSync(join(dist, name), file.contents);
  written[ext] = name;
}
const js = written['.js'];
const css = written['.css'];
if (!js || !css) throw new Error(`esbuild wrote no JS or CSS: ${Object.values(written).join(', ')}`);

// No inline script or style anywhere: the page runs under script-src/style-src 'self'.
writeFileSync(
  join(dist, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Inbox</title>
<link rel="stylesheet" href="./${css}">
<script type="module" src="./${js}"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`,
);
precompress(dist);
console.log(`inbox: ${js}, ${css}`);
