import { SupportChatError } from '../errors';
import { HttpClient } from './http';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

function scripted(answers: Answer[]) {
  const calls: { url: string; body: string | undefined; auth: string | undefined }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, body: init.body as string | undefined, auth: (init.headers as Record<string, string>).authorization });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  }) as unknown as typeof globalThis.fetch;
  const waits: number[] = [];
  const client = new HttpClient({
    apiBase: 'https://api.example.com',
    fetch,
    sleep: async (ms) => void waits.push(ms),
    backoff: { baseMs: 100, maxMs: 1000, random: () => 1 },
  });
  return { client, calls, waits };
}

const envelope = (code: string, recoverable: boolean, extra: Record<string, unknown> = {}) => ({ error: { code, message: code, requestId: 'req_1', recoverable, ...extra } });

describe('HttpClient retries', () => {
  it('retries a 503 with backoff and sends the same body (one clientMessageId) every time', async () => {
    const { client, calls, waits } = scripted([
      { status: 503, body: envelope('internal_error', true) },
      new TypeError('Failed to fetch'),
      { status: 201, body: { id: 'msg_1' } },
    ]);
    const body = { text: 'hi', clientMessageId: 'cmi_1' };
    await expect(client.request('POST', '/widget/v1/conversations/c/messages', { body, token: 'wst_x' })).resolves.toEqual({ id: 'msg_1' });
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.body))).toEqual(new Set([JSON.stringify(body)]));
    expect(calls.every((c) => c.auth === 'Bearer wst_x')).toBe(true);
    expect(waits).toEqual([100, 200]);
  });

  it('waits what Retry-After says on a 429', async () => {
    const onRetry = jest.fn();
    const { client, waits } = scripted([{ status: 429, body: envelope('rate_limited', true), headers: { 'retry-after': '2' } }, { status: 200, body: { ok: true } }]);
    await client.request('GET', '/x', { onRetry });
    expect(waits).toEqual([2000]);
    expect(onRetry).toHaveBeenCalledWith(expect.objectContaining({ code: 'rate_limited', retryAfter: 2 }), 2000, 1);
  });

  it('does not retry what cannot succeed, and rejects with the envelope as SupportChatError', async () => {
    const { client, calls } = scripted([{ status: 404, body: envelope('conversation_not_found', false, { reason: 'unknown' }) }]);
    const error = await client.request('GET', '/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SupportChatError);
    expect(error).toMatchObject({ code: 'conversation_not_found', reason: 'unknown', requestId: 'req_1', recoverable: false });
    expect(calls).toHaveLength(1);
  });

  it('gives up after the last attempt, and at once on a Retry-After longer than it will wait', async () => {
    const five = Array.from({ length: 5 }, () => ({ status: 503, body: envelope('internal_error', true) }));
    const a = scripted(five);
    await expect(a.client.request('GET', '/x')).rejects.toMatchObject({ code: 'internal_error' });
    expect(a.calls).toHaveLength(5);
    const b = scripted([{ status: 429, body: envelope('rate_limited', true), headers: { 'retry-after': '3600' } }]);
    await expect(b.client.request('GET', '/x')).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 3600 });
    expect(b.calls).toHaveLength(1);
  });
});
