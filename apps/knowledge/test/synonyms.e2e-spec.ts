import { startAnonymous, testStack, TestWidget } from '@widget/testing';
import { article, expectEnvelope, newWidget } from './helpers';

const stack = testStack();

describe('typo and synonym tolerant retrieval; operator synonyms (PUT/GET /admin/v1/workspaces/{ws}/synonyms)', () => {
  let widget: TestWidget;
  let token: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    widget = await newWidget(stack);
    token = (await startAnonymous(widget)).token;
    const made = await Promise.all([
      article(widget, { title: 'Contact the help desk', body: '<p>Our help desk answers within one business day, Monday to Friday.</p>' }),
      article(widget, { title: 'Reset your password', body: '<p>Choose Forgot password on the sign-in page and follow the link.</p>' }),
      article(widget, { title: 'Renew a passport', body: '<p>Passport renewals take three weeks.</p>' }),
      article(widget, { title: 'Buy a gift card', body: '<p>Gift cards are sold in amounts from 10 to 200 euros.</p>' }),
    ]);
    ['desk', 'password', 'passport', 'gift'].forEach((k, i) => (ids[k] = made[i].id));
  });

  const search = async (q: string) => {
    const res = await widget.api.get(`/articles/search?q=${encodeURIComponent(q)}`, { token });
    expect(res.status).toBe(200);
    return res.body.data.map((h: any) => h.id) as string[];
  };
  const path = () => `/workspaces/${widget.workspaceId}/synonyms`;

  it('corrects a misspelt word from the workspace vocabulary, without widening correctly spelt ones', async () => {
    expect(await search('pasword')).toEqual([ids.password]);
    expect(await search('forgot pasword')).toEqual([ids.password]);
    expect(await search('pasport renewal')).toEqual([ids.passport]);
    // Both words are in the vocabulary: no fuzzy neighbours join in.
    expect(await search('password')).toEqual([ids.password]);
    expect(await search('passport')).toEqual([ids.passport]);
  });

  it('keeps the vocabulary in step with article writes', async () => {
    const a = await article(widget, { title: 'Loyalty programme', body: '<p>Collect stamps with every order.</p>' });
    expect(await search('stamsp')).toEqual([a.id]);
    const edited = await widget.admin.patch(`/articles/${a.id}`, { body: '<p>Collect points with every order.</p>' });
    expect(edited.status).toBe(200);
    // "stamps" left the vocabulary with the edit: nothing to correct to.
    expect(await search('stamsp')).toEqual([]);
    expect(await search('poinst')).toEqual([a.id]);
    await widget.admin.patch(`/articles/${a.id}`, { status: 'draft' });
    expect(await search('poinst')).toEqual([]);
  });

  it('finds a WordNet synonym, ranked below articles with the word itself', async () => {
    expect(await search('purchase gift card')).toEqual([ids.gift]);
    const orders = await article(widget, { title: 'Purchase orders', body: '<p>Send us a purchase order for annual plans.</p>' });
    expect(await search('purchase')).toEqual([orders.id, ids.gift]);
    const answer = await widget.api.post('/ai/answer', { question: 'Can I purchase a gift card?' }, { token });
    expect(answer.status).toBe(200);
    expect(answer.body.answer?.citations[0].articleId ?? answer.body.suggestions[0]?.id).toBe(ids.gift);
  });

  it('reads an empty list before any PUT', async () => {
    const fresh = await newWidget(stack);
    const res = await fresh.admin.get(`/workspaces/${fresh.workspaceId}/synonyms`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ workspaceId: fresh.workspaceId, groups: [], updatedAt: null });
  });

  it('stores operator synonyms, and they change search results and answers', async () => {
    expect(await search('support')).toEqual([]);
    const put = await widget.admin.put(path(), { groups: [[' support ', 'Help-Desk'], ['coupon', 'gift card', 'voucher']] });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ workspaceId: widget.workspaceId, groups: [['support', 'Help-Desk'], ['coupon', 'gift card', 'voucher']], updatedAt: expect.stringMatching(/\.\d{3}Z$/) });
    const got = await widget.admin.get(path());
    expect(got.body).toEqual(put.body);

    expect(await search('support')).toEqual([ids.desk]);
    expect(await search('voucher')).toEqual([ids.gift]);
    // A phrase of a group is one concept: "help desk" finds what "support" would.
    expect(await search('help desk hours')).toContain(ids.desk);
    const answer = await widget.api.post('/ai/answer', { question: 'When does support answer?' }, { token });
    expect(answer.body.answer?.citations[0].articleId).toBe(ids.desk);

    // A PUT replaces the whole list.
    const replaced = await widget.admin.put(path(), { groups: [['coupon', 'voucher']] });
    expect(replaced.body.groups).toEqual([['coupon', 'voucher']]);
    expect(await search('support')).toEqual([]);
  });

  it('answers validation_error for bad groups', async () => {
    const bad = [
      {},
      { groups: 'support' },
      { groups: [['support']] },
      { groups: [['support', 'SUPPORT']] },
      { groups: [['support', '!!!']] },
      { groups: [['support', '']] },
      { groups: [[1, 2]] },
      { groups: [['a', 'x'.repeat(61)]] },
      { groups: [Array.from({ length: 21 }, (_, i) => `t${i}`)] },
      { groups: Array.from({ length: 501 }, (_, i) => [`a${i}`, `b${i}`]) },
      { groups: [['a', 'b']], extra: true },
    ];
    for (const body of bad) {
      const res = await widget.admin.put(path(), body);
      expectEnvelope(res, 400, 'validation_error');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    const unchanged = await widget.admin.get(path());
    expect(unchanged.body.groups).toEqual([['coupon', 'voucher']]);
  });

  it('answers not_found for a workspace id that cannot exist, and needs the operator key', async () => {
    expectEnvelope(await widget.admin.put('/workspaces/nope/synonyms', { groups: [] }), 404, 'not_found');
    expectEnvelope(await widget.admin.get('/workspaces/ws_nope/synonyms'), 404, 'not_found');
    const anonymous = await fetch(`${stack.baseUrl}/admin/v1${path()}`);
    expect(anonymous.status).toBe(401);
  });
});
