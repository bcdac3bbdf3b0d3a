// Builds the frame UI (dist/frame: frame.html + content-hashed assets, within 70 kB gzip for
// everything the iframe loads) and the demo site (dist/demo).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { checkBudget, cleanDir, contractsFromSource, gzipSize, precompress, writeHashed } from '@widget/sdk/build-tools.mjs';

const FRAME_BUDGET_KB = 70;

async function bundle(entry, options = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    write: false,
    target: ['es2020'],
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    plugins: [contractsFromSource],
    define: { 'process.env.NODE_ENV': '"production"' },
    ...options,
  });
  return result.outputFiles[0].contents;
}

/** One page set: its HTML with {{name.ext}} replaced by the hashed asset paths. */
async function pageSet(name, htmlFiles, assets) {
  const dir = join('dist', name);
  cleanDir(dir);
  mkdirSync(join(dir, 'assets'), { recursive: true });
  const names = {};
  const bytes = [];
  for (const [key, entry] of Object.entries(assets)) {
    const [base, ext] = key.split('.');
    const contents = await bundle(entry, ext === 'css' ? { loader: { '.css': 'css' } } : { format: 'iife' });
    names[key] = `assets/${writeHashed(join(dir, 'assets'), base, ext, contents)}`;
    bytes.push(contents);
  }
  const pages = {};
  for (const [out, source] of Object.entries(htmlFiles)) {
    const html = readFileSync(source, 'utf8').replace(/\{\{([\w.]+)\}\}/g, (_, key) => {
      if (!names[key]) throw new Error(`${source} names an unknown asset ${key}`);
      return names[key];
    });
    writeFileSync(join(dir, out), html);
    pages[out] = Buffer.from(html);
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(names, null, 2));
  precompress(dir);
  return { bytes, pages, names };
}

const frame = await pageSet('frame', { 'frame.html': 'src/frame/frame.html' }, { 'frame.js': 'src/frame/main.tsx', 'frame.css': 'src/frame/frame.css' });
const frameTotal = Buffer.concat([...frame.bytes, frame.pages['frame.html']]);
for (const [key, file] of Object.entries(frame.names)) console.log(`[size]   ${file}: ${(gzipSize(frame.bytes[Object.keys(frame.names).indexOf(key)]) / 1024).toFixed(1)} kB gzip`);
checkBudget('frame (html + js + css, socket.io-client and Preact included)', frameTotal, FRAME_BUDGET_KB);

await pageSet('demo', { 'index.html': 'src/demo/index.html' }, { 'demo.js': 'src/demo/demo.ts', 'demo.css': 'src/demo/demo.css' });
console.log('[widget] built dist/frame and dist/demo');
