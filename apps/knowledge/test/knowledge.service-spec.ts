import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppError, loadConfig } from '@widget/common';
import { AuditContext } from '@widget/contracts';
import { newTestService, TestService } from '@widget/testing';
import { KnowledgeConfig, knowledgeEnv } from '../src/config';
import { ArticlesService } from '../src/domain/articles.service';
import { CollectionsService } from '../src/domain/collections.service';
import { SynonymsService } from '../src/domain/synonyms.service';
import { KnowledgeModule } from '../src/knowledge.module';
import { KNOWLEDGE_ENTITIES } from '../src/persistence/entities';
import { KNOWLEDGE_MIGRATIONS } from '../src/persistence/migrations';

let svc: TestService<KnowledgeConfig>;
let articles: ArticlesService;
let collections: CollectionsService;
let synonyms: SynonymsService;

const WORKSPACE = 'ws_00000000000000000000000001';
const root: AuditContext = { actor: { kind: 'root', id: null }, requestId: 'req-knowledge-spec', address: null };

/**
 * A local embeddings endpoint (the OpenAI-compatible protocol the service speaks). On each
 * request it reads, on another connection, the articles it is asked about: an article shows
 * there only once its unit of work committed, so the endpoint sees whether the service held
 * a transaction open across its call.
 */
let server: Server;
const asked: { input: string[]; committedTitles: string[] }[] = [];

function endpoint(req: IncomingMessage, res: ServerResponse): void {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', async () => {
    const body = JSON.parse(raw) as { input: string[] };
    const titles = body.input.map((t) => t.split('\n')[0]);
    const committed = await svc.query<{ title: string }>(`SELECT title FROM knowledge.articles WHERE title = ANY($1::text[])`, [titles]);
    asked.push({ input: body.input, committedTitles: committed.map((r) => r.title) });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: body.input.map((_, index) => ({ index, embedding: [1, 0, 0.5] })) }));
  });
}

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof AppError ? (e.reason ?? e.code) : String(e)),
  );

const auditOf = async (targetId: string) =>
  (await svc.query<{ action: string }>(`SELECT action FROM knowledge.audit_log WHERE target_id = $1 ORDER BY id`, [targetId])).map((a) => a.action);

const vectorOf = (articleId: string) =>
  svc.query<{ model: string; updated_at: Date }>(`SELECT model, updated_at FROM knowledge.article_embeddings WHERE article_id = $1`, [articleId]);

beforeAll(async () => {
  server = createServer(endpoint);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  svc = await newTestService({
    name: 'knowledge',
    module: KnowledgeModule,
    database: { schema: 'knowledge', entities: KNOWLEDGE_ENTITIES, migrations: KNOWLEDGE_MIGRATIONS },
    config: (env) => loadConfig(knowledgeEnv, { ...env, EMBEDDINGS_BASE_URL: `http://127.0.0.1:${port}/v1`, EMBEDDINGS_MODEL: 'spec-embed' }),
  });
  articles = svc.get(ArticlesService);
  collections = svc.get(CollectionsService);
  synonyms = svc.get(SynonymsService);
});

afterAll(async () => {
  await svc?.close();
  await new Promise((r) => server?.close(r));
});

it('an article is created at the clock’s time with the test’s ids and embedded after it committed; an Idempotency-Key retry answers the stored reply and writes nothing again', async () => {
  svc.clock.set('2026-06-01T08:00:00.000Z');
  const collection = await collections.create(WORKSPACE, 'Billing', root, { key: 'idem-collection', requestHash: 'c' });
  expect(collection).toEqual({ id: expect.stringMatching(/^col_/), workspaceId: WORKSPACE, name: 'Billing', createdAt: '2026-06-01T08:00:00.000Z' });
  expect(await collections.create(WORKSPACE, 'Billing', root, { key: 'idem-collection', requestHash: 'c' })).toEqual(collection);

  const idempotency = { key: 'idem-article', requestHash: 'hash-a' };
  const body = { title: 'Refund policy', body: '<p>Refunds within 14 days.</p><script>x</script>', collectionId: collection.id, locale: 'en', status: 'published' as const };
  asked.length = 0;
  const created = await articles.create(WORKSPACE, body, idempotency, root);
  expect(created).toEqual({
    id: expect.stringMatching(/^art_/),
    workspaceId: WORKSPACE,
    collectionId: collection.id,
    title: 'Refund policy',
    body: '<p>Refunds within 14 days.</p>',
    locale: 'en',
    status: 'published',
    createdAt: '2026-06-01T08:00:00.000Z',
    updatedAt: '2026-06-01T08:00:00.000Z',
    publishedAt: '2026-06-01T08:00:00.000Z',
  });
  // The endpoint was asked once the article had committed (no transaction held across the call).
  expect(asked).toEqual([{ input: ['Refund policy\nRefunds within 14 days.'], committedTitles: ['Refund policy'] }]);
  expect(await vectorOf(created.id)).toEqual([{ model: 'spec-embed', updated_at: new Date('2026-06-01T08:00:00.000Z') }]);

  svc.clock.advance(60_000);
  expect(await articles.create(WORKSPACE, body, idempotency, root)).toEqual(created);
  expect(asked).toHaveLength(1);
  expect(await reasonOf(articles.create(WORKSPACE, { ...body, title: 'Other' }, { ...idempotency, requestHash: 'hash-b' }, root))).toBe('idempotency_key_reused');
  expect(await svc.query(`SELECT id FROM knowledge.articles WHERE workspace_id = $1`, [WORKSPACE])).toEqual([{ id: created.id }]);
  expect(await auditOf(created.id)).toEqual(['article.created']);
  expect(await auditOf(collection.id)).toEqual(['collection.created']);
  expect(await svc.query(`SELECT 1 FROM knowledge.vocabulary WHERE workspace_id = $1 AND word = 'refunds'`, [WORKSPACE])).toHaveLength(1);

  // A collection of no one's is refused before the key is claimed: the key stays free for the corrected request.
  const stray = { key: 'idem-stray', requestHash: 'hash-s' };
  expect(await reasonOf(articles.create(WORKSPACE, { ...body, title: 'Stray', collectionId: 'col_00000000000000000000000000' }, stray, root))).toBe('invalid_fields');
  expect((await articles.create(WORKSPACE, { ...body, title: 'Stray' }, { ...stray, requestHash: 'hash-t' }, root)).title).toBe('Stray');
});

it('an update locks, rewrites and audits the article at the clock’s time; unpublishing drops its vector and its words; an unknown article is not found', async () => {
  svc.clock.set('2026-06-02T08:00:00.000Z');
  const created = await articles.create(WORKSPACE, { title: 'Shipping', body: '<p>Parcels leave daily.</p>', locale: 'en', status: 'draft' }, undefined, root);
  expect(await vectorOf(created.id)).toEqual([]);

  svc.clock.advance(60_000);
  asked.length = 0;
  const published = await articles.update(created.id, { status: 'published', body: '<p>Parcels leave every weekday.</p>' }, root);
  expect(published).toMatchObject({
    status: 'published',
    body: '<p>Parcels leave every weekday.</p>',
    createdAt: '2026-06-02T08:00:00.000Z',
    updatedAt: '2026-06-02T08:01:00.000Z',
    publishedAt: '2026-06-02T08:01:00.000Z',
  });
  expect(asked).toEqual([{ input: ['Shipping\nParcels leave every weekday.'], committedTitles: ['Shipping'] }]);
  expect(await vectorOf(created.id)).toEqual([{ model: 'spec-embed', updated_at: new Date('2026-06-02T08:01:00.000Z') }]);
  expect(await svc.query(`SELECT 1 FROM knowledge.vocabulary WHERE workspace_id = $1 AND word = 'weekday'`, [WORKSPACE])).toHaveLength(1);

  svc.clock.advance(60_000);
  const drafted = await articles.update(created.id, { status: 'draft' }, root);
  expect(drafted).toMatchObject({ status: 'draft', updatedAt: '2026-06-02T08:02:00.000Z', publishedAt: null });
  expect(await vectorOf(created.id)).toEqual([]);
  expect(await svc.query(`SELECT 1 FROM knowledge.vocabulary WHERE workspace_id = $1 AND word = 'weekday'`, [WORKSPACE])).toEqual([]);
  expect(await auditOf(created.id)).toEqual(['article.created', 'article.updated', 'article.updated']);

  expect(await reasonOf(articles.update('art_00000000000000000000000000', { title: 'x' }, root))).toBe('article_not_found');
  expect(await reasonOf(articles.update(created.id, { collectionId: 'col_00000000000000000000000000' }, root))).toBe('invalid_fields');
  expect((await articles.adminGet(created.id)).updatedAt).toBe('2026-06-02T08:02:00.000Z');
});

it('synonym groups replace the workspace’s at the clock’s time, terms trimmed, audited without the terms', async () => {
  svc.clock.set('2026-06-03T08:00:00.000Z');
  expect(await synonyms.get(WORKSPACE)).toEqual({ workspaceId: WORKSPACE, groups: [], updatedAt: null });
  const put = await synonyms.put(WORKSPACE, [[' refund ', 'money back'], ['parcel', 'package']], root);
  expect(put).toEqual({ workspaceId: WORKSPACE, groups: [['refund', 'money back'], ['parcel', 'package']], updatedAt: '2026-06-03T08:00:00.000Z' });
  svc.clock.advance(1_000);
  const replaced = await synonyms.put(WORKSPACE, [['login', 'sign in']], root);
  expect(replaced).toEqual({ workspaceId: WORKSPACE, groups: [['login', 'sign in']], updatedAt: '2026-06-03T08:00:01.000Z' });
  expect(await synonyms.get(WORKSPACE)).toEqual(replaced);
  const audit = await svc.query(`SELECT action, target_type, target_id FROM knowledge.audit_log WHERE action = 'synonyms.replaced' ORDER BY id`);
  expect(audit).toEqual([
    { action: 'synonyms.replaced', target_type: 'synonyms', target_id: null },
    { action: 'synonyms.replaced', target_type: 'synonyms', target_id: null },
  ]);
});
