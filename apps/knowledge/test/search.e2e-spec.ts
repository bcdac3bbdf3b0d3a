import { startAnonymous, testStack, TestWidget } from '@widget/testing';
import { SEARCH_CANDIDATES } from '../src/persistence/article.repository';
import { article, collection, expectEnvelope, newWidget, siblingWidget, UNKNOWN_ARTICLE } from './helpers';

const stack = testStack();

describe('article search and reading (widget API)', () => {
  let widget: TestWidget;
  let token: string;
  const ids: Record<string, string> = {};
  let billing: string;
  let account: string;

  beforeAll(async () => {
    widget = await newWidget(stack);
    token = (await startAnonymous(widget)).token;
    [billing, account] = await Promise.all([collection(widget, 'Billing'), collection(widget, 'Account')]);
    const made = await Promise.all([
      article(widget, { title: 'Refund policy', body: '<p>Ask within 14 days. The money goes back to your card.</p>', collectionId: billing }),
      article(widget, { title: 'Invoices', body: '<p>Download invoices as PDF. A refund appears as a credit note on the next invoice.</p>', collectionId: billing }),
      article(widget, { title: 'Reset your password', body: '<p>Choose <b>Forgot password</b> on the sign-in page &amp; follow the link if 2 &lt; 3.</p>', collectionId: account }),
      article(widget, { title: 'Draft about refunds', body: '<p>refund refund refund</p>', collectionId: billing, status: 'draft' }),
      article(widget, { title: 'Remboursements', body: '<p>Les paiements sont remboursés sous quatorze jours.</p>', collectionId: billing, locale: 'fr' }),
      article(widget, { title: 'Uncollected refund note', body: '<p>Refunds for gift cards are not possible.</p>' }),
    ]);
    ['refund', 'invoices', 'password', 'draft', 'french', 'loose'].forEach((k, i) => (ids[k] = made[i].id));
  });

  const search = (query: string, t = token, api = widget.api) => api.get(`/articles/search?${query}`, { token: t });

  it('ranks a title match above a body match, with the reply shape and a marked snippet', async () => {
    const res = await search('q=refund&locale=en');
    expect(res.status).toBe(200);
    // Title matches (weight A) before the body-only match.
    expect(res.body.data.map((h: any) => h.id).slice(0, 2).sort()).toEqual([ids.refund, ids.loose].sort());
    expect(res.body.data[2].id).toBe(ids.invoices);
    expect(res.body.data.find((h: any) => h.id === ids.refund)).toEqual({
      id: ids.refund,
      title: 'Refund policy',
      snippet: expect.any(String),
      collectionId: billing,
      locale: 'en',
      updatedAt: expect.stringMatching(/\.\d{3}Z$/),
      score: expect.any(Number),
    });
    const invoices = res.body.data.find((h: any) => h.id === ids.invoices);
    expect(invoices.snippet).toContain('<mark>refund</mark>');
    expect(res.body.data[0].score).toBeGreaterThan(invoices.score);
    expect(res.body.data.map((h: any) => h.score)).toEqual([...res.body.data.map((h: any) => h.score)].sort((a, b) => b - a));
    expect(res.body.nextCursor).toBeNull();
  });

  it('stems words and prefix-matches the last word typed', async () => {
    const stemmed = await search('q=refunding');
    expect(stemmed.body.data.map((h: any) => h.id)).toContain(ids.refund);
    const prefix = await search('q=forgot%20passw');
    expect(prefix.body.data.map((h: any) => h.id)).toEqual([ids.password]);
    // Every word must match while some article has them all ...
    const all = await search('q=refund%20download&locale=en');
    expect(all.body.data.map((h: any) => h.id)).toEqual([ids.invoices]);
    // ... and when none has, any word may.
    const relaxed = await search('q=refund%20zzzunknown&locale=en');
    expect(relaxed.body.data.map((h: any) => h.id).sort()).toEqual([ids.refund, ids.invoices, ids.loose].sort());
    const next = await search(`q=refund%20zzzunknown&locale=en&limit=1&cursor=${(await search('q=refund%20zzzunknown&locale=en&limit=1')).body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body.data).toHaveLength(1);
  });

  it('escapes article text in snippets: only <mark> is markup', async () => {
    await article(widget, { title: 'Formulas', body: '<p>Type a &lt; b &amp;&amp; c &gt; d into the formula box.</p>' });
    const res = await search('q=formula');
    expect(res.body.data[0].snippet).toBe('Type a &lt; b &amp;&amp; c &gt; d into the <mark>formula</mark> box');
    expect(res.body.data[0].snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('never returns drafts; treats tsquery syntax as plain words', async () => {
    const res = await search('q=draft');
    expect(res.body.data.map((h: any) => h.id)).not.toContain(ids.draft);
    const weird = await search(`q=${encodeURIComponent("refund & | ! ( ) ' :* <->")}`);
    expect(weird.status).toBe(200);
    expect(weird.body.data.map((h: any) => h.id)).toContain(ids.refund);
    const symbols = await search(`q=${encodeURIComponent('!!!')}`);
    expect(symbols.body).toEqual({ data: [], nextCursor: null });
  });

  it('stems by the article locale and filters by the requested one', async () => {
    const fr = await search('q=paiement&locale=fr');
    expect(fr.body.data.map((h: any) => h.id)).toEqual([ids.french]);
    expect(fr.body.data[0].locale).toBe('fr');
    const en = await search('q=paiement&locale=en');
    expect(en.body.data).toEqual([]);
    const any = await search('q=paiements');
    expect(any.body.data.map((h: any) => h.id)).toEqual([ids.french]);
  });

  it('searches only the widget enabled collections', async () => {
    const onlyAccount = await siblingWidget(stack, widget, { knowledgeBase: { enabledCollectionIds: [account] } });
    const res = await search('q=refund', onlyAccount.token, onlyAccount.api);
    expect(res.body.data).toEqual([]);
    const pw = await search('q=password', onlyAccount.token, onlyAccount.api);
    expect(pw.body.data.map((h: any) => h.id)).toEqual([ids.password]);
    const none = await siblingWidget(stack, widget, { knowledgeBase: { enabledCollectionIds: [] } });
    expect((await search('q=password', none.token, none.api)).body.data).toEqual([]);
  });

  it('never shows another workspace articles', async () => {
    const stranger = await newWidget(stack);
    const t = (await startAnonymous(stranger)).token;
    expect((await search('q=refund', t, stranger.api)).body.data).toEqual([]);
    expectEnvelope(await stranger.api.get(`/articles/${ids.refund}`, { token: t }), 404, 'article_not_found');
  });

  it('pages with a stable keyset cursor that matches the single-page order', async () => {
    const ws = await newWidget(stack);
    const t = (await startAnonymous(ws)).token;
    // Equal scores on purpose: the id breaks ties, so pages neither repeat nor skip.
    await Promise.all(Array.from({ length: 7 }, (_, i) => article(ws, { title: `Shipping note ${i}`, body: '<p>Parcels ship daily.</p>' })));
    await article(ws, { title: 'Shipping and shipping', body: '<p>shipping shipping shipping</p>' });
    const whole = await ws.api.get('/articles/search?q=shipping&limit=50', { token: t });
    expect(whole.body.data).toHaveLength(8);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await ws.api.get(`/articles/search?q=shipping&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: t });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((h: any) => h.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(whole.body.data.map((h: any) => h.id));

    const first = await ws.api.get('/articles/search?q=shipping&limit=3', { token: t });
    expectEnvelope(await ws.api.get(`/articles/search?q=parcels&cursor=${first.body.nextCursor}`, { token: t }), 400, 'validation_error');
    expectEnvelope(await ws.api.get('/articles/search?q=shipping&cursor=garbage', { token: t }), 400, 'validation_error');
  });

  it('ranks at most SEARCH_CANDIDATES matches of a word in most articles: title matches first, pages consistent', async () => {
    const ws = await newWidget(stack);
    const t = (await startAnonymous(ws)).token;
    // More body-only matches than the cap, then (stored after them) title matches and a draft.
    const bodyOnly = SEARCH_CANDIDATES + 20;
    for (let i = 0; i < bodyOnly; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, bodyOnly - i) }, (_, j) => article(ws, { title: `Note ${i + j}`, body: '<p>Everyday parcels leave the depot.</p>' })));
    }
    const titled = await Promise.all([1, 2, 3].map((n) => article(ws, { title: `Everyday parcel tracking ${n}`, body: '<p>Track it.</p>' })));
    await article(ws, { title: 'Everyday draft', body: '<p>Not yet.</p>', status: 'draft' });

    const seen: string[] = [];
    const scores: number[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await ws.api.get(`/articles/search?q=everyday&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: t });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((h: any) => h.id));
      scores.push(...res.body.data.map((h: any) => h.score));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.slice(0, 3).sort()).toEqual(titled.map((a) => a.id).sort());
    expect(seen).toHaveLength(SEARCH_CANDIDATES);
    expect(new Set(seen).size).toBe(seen.length);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('answers validation_error for an empty, missing or over-long q and bad limits', async () => {
    for (const query of ['q=', 'q=%20%20', '', `q=${'a'.repeat(201)}`, 'q=x&limit=0', 'q=x&limit=51', 'q=x&limit=abc', 'q=x&locale=not_a_locale']) {
      expectEnvelope(await search(query), 400, 'validation_error');
    }
    expect((await search(`q=${'a'.repeat(200)}`)).status).toBe(200);
  });

  it('needs a session token', async () => {
    expectEnvelope(await widget.api.get('/articles/search?q=refund'), 401, 'auth_required');
    expectEnvelope(await widget.api.get('/articles/search?q=refund', { token: 'wst_nope' }), 401, 'invalid_token');
  });

  it('reads a published article in scope, sanitized', async () => {
    const res = await widget.api.get(`/articles/${ids.password}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: ids.password,
      title: 'Reset your password',
      body: '<p>Choose <b>Forgot password</b> on the sign-in page &amp; follow the link if 2 &lt; 3.</p>',
      collectionId: account,
      locale: 'en',
      updatedAt: expect.any(String),
    });
  });

  it('answers article_not_found for drafts, unknown, malformed and out-of-collection ids', async () => {
    expectEnvelope(await widget.api.get(`/articles/${ids.draft}`, { token }), 404, 'article_not_found');
    expectEnvelope(await widget.api.get(`/articles/${UNKNOWN_ARTICLE}`, { token }), 404, 'article_not_found');
    expectEnvelope(await widget.api.get('/articles/not-an-id', { token }), 404, 'article_not_found');
    const onlyAccount = await siblingWidget(stack, widget, { knowledgeBase: { enabledCollectionIds: [account] } });
    expectEnvelope(await onlyAccount.api.get(`/articles/${ids.refund}`, { token: onlyAccount.token }), 404, 'article_not_found');
    expectEnvelope(await onlyAccount.api.get(`/articles/${ids.loose}`, { token: onlyAccount.token }), 404, 'article_not_found');
    expect((await onlyAccount.api.get(`/articles/${ids.password}`, { token: onlyAccount.token })).status).toBe(200);
  });

  it('hides an article again once unpublished', async () => {
    const a = await article(widget, { title: 'Temporary notice', body: '<p>Maintenance tonight.</p>' });
    expect((await widget.api.get(`/articles/${a.id}`, { token })).status).toBe(200);
    await widget.admin.patch(`/articles/${a.id}`, { status: 'draft' });
    expectEnvelope(await widget.api.get(`/articles/${a.id}`, { token }), 404, 'article_not_found');
    expect((await search('q=maintenance')).body.data).toEqual([]);
  });

  it('answers widget_disabled / feature_disabled when the knowledge base is off', async () => {
    const off = await siblingWidget(stack, widget, { features: { knowledgeBase: false } });
    expectEnvelope(await search('q=refund', off.token, off.api), 403, 'widget_disabled', 'feature_disabled');
    expectEnvelope(await off.api.get(`/articles/${ids.refund}`, { token: off.token }), 403, 'widget_disabled', 'feature_disabled');
  });
});
