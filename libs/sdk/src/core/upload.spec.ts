import { SupportChatError } from '../errors';
import type { ChatEvent } from '../types';
import { ChatCore } from './chat-core';
import { uploadFile } from './upload';

/** A stand-in for XMLHttpRequest: records the request; the test plays the network's part. */
class FakeXhr {
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: FormData | null = null;
  status = 0;
  responseText = '';
  responseHeaders: Record<string, string> = {};
  aborted = false;
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  getResponseHeader(name: string) {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }
  send(body: FormData) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true });
  }
  answer(status: number, body: unknown, headers: Record<string, string> = {}) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.responseHeaders = headers;
    this.onload?.();
  }
}

function start(options: { signal?: AbortSignal } = {}) {
  const xhr = new FakeXhr();
  const progress: Array<[number, number]> = [];
  const file = new File([new Uint8Array(300)], 'photo.png', { type: 'image/png' });
  const promise = uploadFile<{ id: string }>({
    url: 'https://api.example.com/widget/v1/conversations/conv_1/attachments',
    token: 'wst_x',
    file,
    name: file.name,
    signal: options.signal,
    onProgress: (loaded, total) => progress.push([loaded, total]),
    xhr: () => xhr as unknown as XMLHttpRequest,
  });
  return { xhr, progress, promise, file };
}

describe('uploadFile', () => {
  it('posts one multipart part named file with the bearer token, reports progress, and resolves with the reply', async () => {
    const { xhr, progress, promise } = start();
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('https://api.example.com/widget/v1/conversations/conv_1/attachments');
    expect(xhr.headers.authorization).toBe('Bearer wst_x');
    expect([...xhr.body!.keys()]).toEqual(['file']);
    expect((xhr.body!.get('file') as File).name).toBe('photo.png');
    xhr.progress(100, 300);
    xhr.answer(201, { id: 'att_1' });
    await expect(promise).resolves.toEqual({ id: 'att_1' });
    expect(progress).toEqual([
      [100, 300],
      [300, 300],
    ]);
  });

  it("rejects a refusal with the server's code, reason and Retry-After", async () => {
    const { xhr, promise } = start();
    xhr.answer(429, { error: { code: 'rate_limited', message: 'Slow down.', requestId: 'req_1', recoverable: true } }, { 'retry-after': '7' });
    const error = (await promise.catch((e) => e)) as SupportChatError;
    expect(error).toBeInstanceOf(SupportChatError);
    expect(error.toJSON()).toEqual({ code: 'rate_limited', message: 'Slow down.', requestId: 'req_1', recoverable: true });
    expect(error.retryAfter).toBe(7);

    const refused = start();
    refused.xhr.answer(413, { error: { code: 'attachment_too_large', message: 'Too large.', requestId: 'req_2', recoverable: false } });
    await expect(refused.promise).rejects.toMatchObject({ code: 'attachment_too_large' });
  });

  it('aborts on the signal and rejects with cancelled; an aborted signal sends nothing', async () => {
    const controller = new AbortController();
    const { xhr, promise } = start({ signal: controller.signal });
    controller.abort();
    expect(xhr.aborted).toBe(true);
    await expect(promise).rejects.toMatchObject({ code: 'cancelled' });

    const late = start({ signal: controller.signal });
    await expect(late.promise).rejects.toMatchObject({ code: 'cancelled' });
    expect(late.xhr.body).toBeNull();
  });

  it('turns a failed connection into a recoverable network_error', async () => {
    const { xhr, promise } = start();
    xhr.onerror?.();
    await expect(promise).rejects.toMatchObject({ code: 'network_error', recoverable: true });
  });
});

// ---- ChatCore: send with files, cancel, and the renewal of an expired download link ----

const PNG = () => new File([new Uint8Array(64)], 'shot.png', { type: 'image/png' });
const attachment = (id: string, url: string) => ({ id, name: 'shot.png', contentType: 'image/png', size: 64, url });
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const cores: ChatCore[] = [];
afterEach(() => cores.splice(0).forEach((core) => core.destroy()));

/** A booted core over a routed fetch (path → answer) and fake uploads that finish on their own, each recorded. */
async function bootedCore(route: (method: string, url: URL, body: any) => Response | undefined, uploads: { answer?: (xhr: FakeXhr, n: number) => void } = {}) {
  const requests: { method: string; path: string; body: any; auth?: string }[] = [];
  const xhrs: FakeXhr[] = [];
  const events: ChatEvent[] = [];
  const fetch = (async (input: string, init: RequestInit) => {
    const url = new URL(input);
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    requests.push({ method: init.method!, path: url.pathname + url.search, body, auth: (init.headers as Record<string, string>).authorization });
    const answer = route(init.method!, url, body);
    if (answer) return answer;
    if (url.pathname === '/widget/v1/config') return json(200, { id: 'wgt_1', workspaceId: 'ws_1', features: { attachments: true } });
    if (url.pathname === '/widget/v1/sessions/anonymous') {
      return json(201, { token: `wst_${requests.length}`, expiresAt: '2099-01-01T00:00:00Z', session: { id: 'ses_1', identityType: 'anonymous', user: null, expiresAt: '2099-01-01T00:00:00Z' } });
    }
    if (url.pathname === '/widget/v1/conversations' && init.method === 'GET') return json(200, { data: [], nextCursor: null });
    if (url.pathname === '/widget/v1/sessions/realtime-token') return json(201, { token: 'rt_1' });
    throw new Error(`unrouted ${init.method} ${url.pathname}`);
  }) as unknown as typeof globalThis.fetch;
  const inert: any = new Proxy(() => inert, { get: (_t, key) => (key === 'connected' ? false : inert) });
  const core = new ChatCore({
    apiBase: 'https://api.example.com',
    workspaceId: 'ws_1',
    widgetId: 'wgt_1',
    io: () => inert,
    storage: () => null,
    fetch,
    newId: () => 'cmi_1',
    xhr: () => {
      const xhr = new FakeXhr();
      const n = xhrs.push(xhr);
      xhr.send = (body: FormData) => {
        xhr.body = body;
        setTimeout(() => (uploads.answer ?? ((x: FakeXhr, i: number) => (x.progress(32, 64), x.answer(201, attachment(`att_${i}`, `/widget/v1/attachments/att_${i}?expires=1&sig=s`)))))(xhr, n));
      };
      return xhr as unknown as XMLHttpRequest;
    },
  });
  cores.push(core);
  core.onEvent((e) => events.push(e));
  await core.boot();
  requests.length = 0;
  return { core, requests, xhrs, events };
}

const sentMessage = (body: any) => json(201, { id: 'msg_1', conversationId: 'conv_1', author: { type: 'user', id: null, name: null }, text: body.text ?? '', clientMessageId: body.clientMessageId, metadata: {}, attachments: (body.attachmentIds ?? []).map((id: string) => attachment(id, `/widget/v1/attachments/${id}?expires=1&sig=s`)), createdAt: '2026-01-01T00:00:00Z' });

describe('ChatCore attachments', () => {
  it('uploads each file first (upload:progress events), then posts the message naming them', async () => {
    const { core, requests, xhrs, events } = await bootedCore((method, url, body) => (method === 'POST' && url.pathname.endsWith('/messages') ? sentMessage(body) : undefined));
    const message = await core.sendMessage({ conversationId: 'conv_1', text: 'two screenshots', files: [PNG(), PNG()] });
    expect(xhrs.map((x) => [x.url, x.headers.authorization])).toEqual([
      ['https://api.example.com/widget/v1/conversations/conv_1/attachments', expect.stringMatching(/^Bearer wst_/)],
      ['https://api.example.com/widget/v1/conversations/conv_1/attachments', expect.stringMatching(/^Bearer wst_/)],
    ]);
    expect(requests).toEqual([{ method: 'POST', path: '/widget/v1/conversations/conv_1/messages', body: { clientMessageId: 'cmi_1', text: 'two screenshots', attachmentIds: ['att_1', 'att_2'] }, auth: expect.any(String) }]);
    expect(message.attachments.map((a) => a.id)).toEqual(['att_1', 'att_2']);
    expect(events.filter((e) => e.type === 'upload:progress').map((e) => e.payload)).toEqual([
      { conversationId: 'conv_1', name: 'shot.png', loaded: 32, total: 64 },
      { conversationId: 'conv_1', name: 'shot.png', loaded: 64, total: 64 },
      { conversationId: 'conv_1', name: 'shot.png', loaded: 32, total: 64 },
      { conversationId: 'conv_1', name: 'shot.png', loaded: 64, total: 64 },
    ]);
    expect(core.messages('conv_1').map((m) => [m.id, m.delivery])).toEqual([['msg_1', 'sent']]);
  });

  it("a refused file fails the message with the server's code; the retry uploads it again", async () => {
    let refuse = true;
    const { core, requests, xhrs } = await bootedCore(
      (method, url, body) => (method === 'POST' && url.pathname.endsWith('/messages') ? sentMessage(body) : undefined),
      { answer: (x, n) => (refuse ? x.answer(415, { error: { code: 'unsupported_file_type', message: 'No.', requestId: 'req_1', recoverable: false } }) : x.answer(201, attachment(`att_${n}`, 'u'))) },
    );
    await expect(core.sendMessage({ conversationId: 'conv_1', files: [PNG()] })).rejects.toMatchObject({ code: 'unsupported_file_type' });
    expect(requests).toEqual([]);
    const [failed] = core.messages('conv_1');
    expect([failed!.delivery, failed!.error?.code, failed!.attachments.map((a) => a.name)]).toEqual(['failed', 'unsupported_file_type', ['shot.png']]);
    refuse = false;
    await core.retry('conv_1', 'cmi_1');
    expect(xhrs).toHaveLength(2);
    expect(requests.map((r) => r.body?.attachmentIds)).toEqual([['att_2']]);
  });

  it('refuses a message with neither text nor files, and cancels on the signal: nothing posted, nothing left in the list', async () => {
    const { core, requests } = await bootedCore(() => undefined, { answer: () => undefined });
    await expect(core.sendMessage({ conversationId: 'conv_1', text: '  ' })).rejects.toMatchObject({ code: 'validation_error' });
    const controller = new AbortController();
    const sending = core.sendMessage({ conversationId: 'conv_1', text: 'see this', files: [PNG()] }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 5));
    expect(core.messages('conv_1').map((m) => m.delivery)).toEqual(['sending']);
    controller.abort();
    await expect(sending).rejects.toMatchObject({ code: 'cancelled' });
    expect(core.messages('conv_1')).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('downloads with the session token; an expired link is renewed from the messages once, without a new session', async () => {
    const stale = attachment('att_9', '/widget/v1/attachments/att_9?expires=1&sig=old');
    const fresh = attachment('att_9', '/widget/v1/attachments/att_9?expires=2&sig=new');
    const { core, requests } = await bootedCore((method, url) => {
      if (url.pathname === '/widget/v1/attachments/att_9') {
        return url.searchParams.get('sig') === 'old'
          ? json(401, { error: { code: 'auth_expired', reason: 'link_expired', message: 'The link expired.', requestId: 'req_1', recoverable: false } })
          : new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { 'content-type': 'image/png' } });
      }
      if (url.pathname === '/widget/v1/conversations/conv_1/messages') {
        return json(200, { data: [{ id: 'msg_9', conversationId: 'conv_1', author: { type: 'agent', id: 'a', name: 'A' }, text: '', clientMessageId: null, metadata: {}, attachments: [fresh], createdAt: '2026-01-01T00:00:00Z' }], nextCursor: null });
      }
      return undefined;
    });
    const blob = await core.attachmentBlob('conv_1', stale);
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(requests.map((r) => r.path.replace(/\?.*/, ''))).toEqual(['/widget/v1/attachments/att_9', '/widget/v1/conversations/conv_1/messages', '/widget/v1/attachments/att_9']);
    expect(requests.every((r) => r.auth?.startsWith('Bearer wst_'))).toBe(true);
  });
});
