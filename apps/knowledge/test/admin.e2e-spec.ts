import { startAnonymous, testStack, TestWidget } from '@widget/testing';
import { AdminApi } from '@widget/testing';
import { article, collection, expectEnvelope, newWidget, UNKNOWN_ARTICLE, UNKNOWN_COLLECTION } from './helpers';

const stack = testStack();

describe('knowledge operator API (collections and articles)', () => {
  let widget: TestWidget;
  let other: TestWidget;

  beforeAll(async () => {
    [widget, other] = await Promise.all([newWidget(stack), newWidget(stack)]);
  });

  it('creates and lists collections', async () => {
    const created = await widget.admin.post(`/workspaces/${widget.workspaceId}/collections`, { name: '  Billing  ' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^col_[0-9A-Z]{26}$/), workspaceId: widget.workspaceId, name: 'Billing', createdAt: expect.any(String) });
    expect(created.body.createdAt).toMatch(/\.\d{3}Z$/);
    await collection(widget, 'Account');
    await collection(widget, 'Teams');

    const first = await widget.admin.get(`/workspaces/${widget.workspaceId}/collections?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((c: any) => c.name)).toEqual(['Billing', 'Account']);
    const second = await widget.admin.get(`/workspaces/${widget.workspaceId}/collections?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ data: [expect.objectContaining({ name: 'Teams' })], nextCursor: null });
    const none = await widget.admin.get(`/workspaces/${other.workspaceId}/collections`);
    expect(none.body.data.every((c: any) => c.workspaceId === other.workspaceId)).toBe(true);
  });

  it('rejects bad collection bodies and workspace ids with the envelope', async () => {
    const path = `/workspaces/${widget.workspaceId}/collections`;
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(121) }, { name: 42 }, { name: 'ok', extra: 1 }]) {
      const res = await widget.admin.post(path, body);
      expectEnvelope(res, 400, 'validation_error');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    expectEnvelope(await widget.admin.post('/workspaces/nope/collections', { name: 'x' }), 404, 'not_found');
    expectEnvelope(await widget.admin.get('/workspaces/nope/articles'), 404, 'not_found');
    const anonymous = new AdminApi(stack.baseUrl, '');
    expectEnvelope(await anonymous.post(path, { name: 'x' }), 401, 'auth_required');
    const wrong = new AdminApi(stack.baseUrl, 'x'.repeat(40));
    expectEnvelope(await wrong.post(path, { name: 'x' }), 401, 'invalid_token');
  });

  it('creates an article: sanitized body, draft by default, canonical locale', async () => {
    const col = await collection(widget, 'Docs');
    const res = await widget.admin.post(`/workspaces/${widget.workspaceId}/articles`, {
      title: 'Hello',
      body: '<p onclick="evil()">Hi <a href="javascript:alert(1)">x</a><script>alert(1)</script><iframe src="https://e.example"></iframe><img src="data:image/png;base64,AA"></p>',
      collectionId: col,
      locale: 'PT-br',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^art_[0-9A-Z]{26}$/),
      workspaceId: widget.workspaceId,
      collectionId: col,
      title: 'Hello',
      body: '<p>Hi <a>x</a></p>',
      locale: 'pt-BR',
      status: 'draft',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      publishedAt: null,
    });
    const noCollection = await article(widget, { title: 'Loose', body: 'text' });
    expect(noCollection).toMatchObject({ collectionId: null, locale: 'en', status: 'published', publishedAt: expect.any(String) });
  });

  it('rejects bad article bodies, and collections of other workspaces', async () => {
    const path = `/workspaces/${widget.workspaceId}/articles`;
    const bad = [
      {},
      { title: 'x' },
      { title: '', body: 'b' },
      { title: 'x'.repeat(256), body: 'b' },
      { title: 't', body: 'x'.repeat(60_001) },
      { title: 't', body: 5 },
      { title: 't', body: 'b', status: 'archived' },
      { title: 't', body: 'b', locale: 'english!' },
      { title: 't', body: 'b', collectionId: 'col_bad' },
      { title: 't', body: 'b', nope: true },
    ];
    for (const body of bad) expectEnvelope(await widget.admin.post(path, body), 400, 'validation_error');

    const foreign = await collection(other, 'Theirs');
    for (const collectionId of [foreign, UNKNOWN_COLLECTION]) {
      const res = await widget.admin.post(path, { title: 't', body: 'b', collectionId });
      expectEnvelope(res, 400, 'validation_error');
      expect(res.body.error.details).toEqual([{ field: 'collectionId', reason: expect.any(String) }]);
    }
  });

  it('updates, publishes and unpublishes an article; reads it back with drafts', async () => {
    const created = await article(widget, { title: 'Draft one', body: '<p>first</p>', status: 'draft' });
    const col = await collection(widget, 'Moves');

    const published = await widget.admin.patch(`/articles/${created.id}`, { status: 'published', title: 'Published one', collectionId: col });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: 'published', title: 'Published one', collectionId: col, body: '<p>first</p>', publishedAt: expect.any(String) });
    expect(Date.parse(published.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));

    const edited = await widget.admin.patch(`/articles/${created.id}`, { body: '<p>second<script>x</script></p>', locale: 'fr', collectionId: null });
    expect(edited.body).toMatchObject({ body: '<p>second</p>', locale: 'fr', collectionId: null, publishedAt: published.body.publishedAt });

    const unpublished = await widget.admin.patch(`/articles/${created.id}`, { status: 'draft' });
    expect(unpublished.body).toMatchObject({ status: 'draft', publishedAt: null });

    const read = await widget.admin.get(`/articles/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(unpublished.body);

    const drafts = await widget.admin.get(`/workspaces/${widget.workspaceId}/articles?status=draft&limit=100`);
    expect(drafts.body.data.map((a: any) => a.id)).toContain(created.id);
    expect(drafts.body.data.every((a: any) => a.status === 'draft')).toBe(true);
  });

  it('pages the article list by id', async () => {
    const ws = await newWidget(stack);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await article(ws, { title: `A${i}`, body: 'b' })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await ws.admin.get(`/workspaces/${ws.workspaceId}/articles?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((a: any) => a.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    expectEnvelope(await ws.admin.get(`/workspaces/${ws.workspaceId}/articles?limit=0`), 400, 'validation_error');
    expectEnvelope(await ws.admin.get(`/workspaces/${ws.workspaceId}/articles?status=gone`), 400, 'validation_error');
  });

  it('answers article_not_found for unknown or malformed ids, validation_error for bad patches', async () => {
    expectEnvelope(await widget.admin.get(`/articles/${UNKNOWN_ARTICLE}`), 404, 'article_not_found');
    expectEnvelope(await widget.admin.patch(`/articles/${UNKNOWN_ARTICLE}`, { title: 'x' }), 404, 'article_not_found');
    expectEnvelope(await widget.admin.get('/articles/art_nope'), 404, 'article_not_found');
    const a = await article(widget, { title: 'Patch me', body: 'b' });
    for (const body of [{}, { title: '' }, { status: 'gone' }, { body: null }, { workspaceId: other.workspaceId }]) {
      expectEnvelope(await widget.admin.patch(`/articles/${a.id}`, body), 400, 'validation_error');
    }
    const foreign = await collection(other, 'Foreign');
    expectEnvelope(await widget.admin.patch(`/articles/${a.id}`, { collectionId: foreign }), 400, 'validation_error');
    const unchanged = await widget.admin.get(`/articles/${a.id}`);
    expect(unchanged.body).toMatchObject({ title: 'Patch me', collectionId: null });
  });

  it('keeps the widget API closed to operator-only articles: session needed', async () => {
    const a = await article(widget, { title: 'Public', body: 'b' });
    expectEnvelope(await widget.api.get(`/articles/${a.id}`), 401, 'auth_required');
    const { token } = await startAnonymous(widget);
    expect((await widget.api.get(`/articles/${a.id}`, { token })).status).toBe(200);
  });
});
