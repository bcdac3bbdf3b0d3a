import { SupportChatError } from '../errors';
import { isSignedOut, OperatorApi, OperatorAuth } from './operator';

interface Seen {
  method: string;
  path: string;
  search: string;
  auth: string | undefined;
  key: string | undefined;
  body: unknown;
}

/** The operator API over a fetch that records each request and answers `reply` (or an error envelope). */
function recording(reply: (path: string) => { status: number; body?: unknown }) {
  const seen: Seen[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    const u = new URL(url);
    const headers = init.headers as Record<string, string>;
    seen.push({ method: init.method!, path: u.pathname, search: u.search, auth: headers.authorization, key: headers['Idempotency-Key'], body: init.body ? JSON.parse(init.body as string) : undefined });
    const answer = reply(u.pathname);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  }) as unknown as typeof globalThis.fetch;
  const connection = { apiBase: 'https://support.example.com', fetch, io: (() => undefined) as never, sleep: async () => undefined };
  return { seen, api: new OperatorApi({ token: 'opt_1', workspaceId: 'ws_1' }, connection), auth: new OperatorAuth(connection) };
}

describe('the operator API (the inbox on the SDK)', () => {
  it('calls each route of the table with the operator token; a reply carries its clientMessageId as body field and Idempotency-Key', async () => {
    const { seen, api } = recording(() => ({ status: 200, body: { data: [], nextCursor: null } }));
    await api.listConversations({ status: 'open' });
    await api.listMessages('conv_1', { after: 'msg_1', limit: 100 });
    await api.reply('conv_1', { text: 'On its way', clientMessageId: 'c0ffee', attachmentIds: ['att_1'] });
    await api.reply('conv_1', { text: '', clientMessageId: 'f11e5', attachmentIds: ['att_2'] });
    await api.patch('conv_1', { status: 'resolved' });
    expect(seen.map(({ method, path, search, auth, key, body }) => [method, path + search, auth, key, body])).toEqual([
      ['GET', '/admin/v1/workspaces/ws_1/conversations?limit=50&status=open', 'Bearer opt_1', undefined, undefined],
      ['GET', '/admin/v1/conversations/conv_1/messages?limit=100&after=msg_1', 'Bearer opt_1', undefined, undefined],
      ['POST', '/admin/v1/conversations/conv_1/messages', 'Bearer opt_1', 'c0ffee', { text: 'On its way', attachmentIds: ['att_1'], clientMessageId: 'c0ffee' }],
      ['POST', '/admin/v1/conversations/conv_1/messages', 'Bearer opt_1', 'f11e5', { attachmentIds: ['att_2'], clientMessageId: 'f11e5' }],
      ['PATCH', '/admin/v1/conversations/conv_1', 'Bearer opt_1', undefined, { status: 'resolved' }],
    ]);
  });

  it('signs in with one attempt and no token (a refusal shows at once), and says where single sign-on starts', async () => {
    const { seen, auth } = recording(() => ({ status: 429, body: { error: { code: 'rate_limited', message: 'slow down', requestId: 'req_1', recoverable: true } } }));
    await expect(auth.login('ada@example.com', 'secret')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(seen).toEqual([{ method: 'POST', path: '/admin/v1/auth/login', search: '', auth: undefined, key: undefined, body: { email: 'ada@example.com', password: 'secret' } }]);
    expect(auth.ssoStartUrl('/inbox/')).toBe('/admin/v1/auth/oidc/start?returnTo=%2Finbox%2F');
    expect(await auth.options()).toEqual({ sso: false });
  });

  it.each([
    ['invalid_token', undefined, true],
    ['auth_required', undefined, true],
    ['auth_expired', undefined, true],
    ['auth_expired', 'link_expired', false],
    ['forbidden', undefined, false],
    ['network_error', undefined, false],
  ])('%s (%s) means signed out: %s', (code, reason, out) => {
    expect(isSignedOut(new SupportChatError({ code, reason, message: code, recoverable: false }))).toBe(out);
  });
});
