/**
 * Creates the help-center corpus (one collection per topic, every article
 * published) through the operator API. Shared by the evaluation, the e2e tests
 * and the demo seed. `admin(method, path, body)` resolves to the parsed reply.
 */
const corpus = require('./corpus.json');

async function loadCorpus(admin, workspaceId, { locale = 'en' } = {}) {
  const collections = {};
  for (const name of [...new Set(corpus.map((a) => a.collection))]) {
    collections[name] = (await admin('POST', `/workspaces/${workspaceId}/collections`, { name })).id;
  }
  const articles = {};
  await Promise.all(
    corpus.map(async (a) => {
      const created = await admin('POST', `/workspaces/${workspaceId}/articles`, {
        title: a.title,
        body: a.body,
        collectionId: collections[a.collection],
        locale,
        status: 'published',
      });
      articles[a.key] = created.id;
    }),
  );
  return { collections, articles };
}

module.exports = { corpus, loadCorpus };
