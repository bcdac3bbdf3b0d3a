import { EventEmitter } from 'node:events';
import { ChatCore } from './chat-core';

/** A socket.io client socket that never connects: the test only counts how many were opened. */
class IdleSocket extends EventEmitter {
  connected = false;
  onAny() {
    return this;
  }
  offAny() {
    return this;
  }
  disconnect() {
    return this;
  }
}

const reply = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const conversation = (id: string, unreadCount: number) => ({ id, status: 'open', unreadCount, lastMessage: null, assignee: null, updatedAt: '2026-01-01T00:00:00Z' });

/** A core over a fake API whose visitor has `conversations`; counts realtime tokens asked for and sockets opened. */
function lazyCore(conversations: ReturnType<typeof conversation>[] = [], transcript: (attempt: number) => Response = () => reply(202, { status: 'queued' })) {
  const counts = { sockets: 0, realtimeTokens: 0 };
  const transcripts = { asked: 0 };
  const fetch = (async (input: string, init: RequestInit) => {
    const { pathname } = new URL(input);
    if (pathname === '/widget/v1/config') return reply(200, { id: 'wgt_1', workspaceId: 'ws_1' });
    if (pathname === '/widget/v1/sessions/anonymous') {
      return reply(201, { token: 'wst_1', expiresAt: '2099-01-01T00:00:00Z', session: { id: 'ses_1', identityType: 'anonymous', user: null, expiresAt: '2099-01-01T00:00:00Z' } });
    }
    if (pathname === '/widget/v1/conversations' && init.method === 'GET') return reply(200, { data: conversations, nextCursor: null });
    if (pathname === '/widget/v1/conversations') return reply(201, conversation('conv_new', 0));
    if (pathname === '/widget/v1/sessions/realtime-token') return (counts.realtimeTokens++, reply(201, { token: 'rt_1' }));
    if (pathname === '/widget/v1/sessions/shutdown') return reply(204, {});
    if (pathname === '/widget/v1/sessions/current') {
      const { user } = JSON.parse(String(init.body)) as { user: { email: string } };
      return reply(200, { session: { id: 'ses_1', identityType: 'anonymous', user: { email: user.email }, expiresAt: '2099-01-01T00:00:00Z' } });
    }
    if (pathname.endsWith('/transcript')) return transcript(++transcripts.asked);
    throw new Error(`unrouted ${init.method} ${pathname}`);
  }) as unknown as typeof globalThis.fetch;
  const core = new ChatCore({
    apiBase: 'https://api.example.com',
    workspaceId: 'ws_1',
    widgetId: 'wgt_1',
    io: (() => (counts.sockets++, new IdleSocket())) as never,
    storage: () => null,
    fetch,
  });
  cores.push(core);
  return { core, counts, transcripts };
}

const cores: ChatCore[] = [];
afterEach(() => cores.splice(0).forEach((core) => core.destroy()));
const settle = () => new Promise((r) => setTimeout(r, 10));

describe('ChatCore opens the socket only when it can matter (issue 24)', () => {
  it('boots a visitor without conversations with no socket and no realtime token; opening the panel opens one', async () => {
    const { core, counts } = lazyCore();
    await core.boot();
    await settle();
    expect({ state: core.state, ...counts }).toEqual({ state: 'anonymous', sockets: 0, realtimeTokens: 0 });
    core.goLive();
    await settle();
    expect(counts).toEqual({ sockets: 1, realtimeTokens: 1 });
    core.goLive();
    await settle();
    expect(counts.sockets).toBe(1);
  });

  it('opens it at boot for a visitor with a conversation, with the unread count from the list', async () => {
    const { core, counts } = lazyCore([conversation('conv_1', 2)]);
    await core.boot();
    await settle();
    expect({ unread: core.unread, ...counts }).toEqual({ unread: 2, sockets: 1, realtimeTokens: 1 });
  });

  it('opens it once the first conversation starts, and once booted when the panel opened during boot', async () => {
    const first = lazyCore();
    await first.core.boot();
    await first.core.startConversation({ message: 'Hello' });
    await settle();
    expect(first.counts.sockets).toBe(1);

    const early = lazyCore();
    early.core.goLive();
    await settle();
    expect(early.counts.sockets).toBe(0);
    await early.core.boot();
    await settle();
    expect(early.counts.sockets).toBe(1);
  });

  it('opens it when the tab comes back and the list has a conversation; after shutdown the panel must open again', async () => {
    const list: ReturnType<typeof conversation>[] = [];
    const { core, counts } = lazyCore(list);
    await core.boot();
    list.push(conversation('conv_1', 1));
    await core.resync();
    await settle();
    expect({ unread: core.unread, sockets: counts.sockets }).toEqual({ unread: 1, sockets: 1 });

    list.length = 0;
    core.goLive();
    await core.shutdown();
    await core.boot();
    await settle();
    expect(counts.sockets).toBe(1);
  });
});

describe('ChatCore.requestTranscript (issue 22)', () => {
  const envelope = (status: number, code: string, reason?: string) => reply(status, { error: { code, message: code, ...(reason ? { reason } : {}), requestId: 'req_1' } });

  it('refuses with email_unknown until update() gives an email, which the session view then holds', async () => {
    const { core, transcripts } = lazyCore([], (attempt) => (attempt === 1 ? envelope(400, 'validation_error', 'email_unknown') : reply(202, { status: 'queued' })));
    await core.boot();
    await expect(core.requestTranscript('conv_1')).rejects.toMatchObject({ code: 'validation_error', reason: 'email_unknown' });
    await core.update({ user: { email: 'vera@example.com' } });
    expect(core.session?.user?.email).toBe('vera@example.com');
    await expect(core.requestTranscript('conv_1')).resolves.toEqual({ status: 'queued' });
    expect(transcripts.asked).toBe(2);
  });

  it('tries once on 429: the visitor is told, nothing is retried behind their back', async () => {
    const { core, transcripts } = lazyCore([], () => envelope(429, 'rate_limited'));
    await core.boot();
    await expect(core.requestTranscript('conv_1')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(transcripts.asked).toBe(1);
  });
});
