import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { EndpointPolicy, Refusal, resolveEndpoint } from './endpoint-guard';

export interface Attempt {
  /** The delivery id: the `webhook-id` of every attempt. */
  id: string;
  url: string;
  /** `whsec_…` */
  secret: string;
  body: string;
}

/** A 2xx (ok), another status, or no answer at all (`timeout`, `refused`, `network_error`, or a refusal of the guard). */
export type AttemptOutcome = { ok: boolean; status: number | null; error: string | null };

const USER_AGENT = 'widget-api-webhooks/1';
/** What is read of an answer before the socket is dropped (nobody reads it). */
const ANSWER_BYTES_MAX = 64 * 1024;

/**
 * One attempt, signed per Standard Webhooks with the `standardwebhooks`
 * library (`webhook-id`, `webhook-timestamp`: now, `webhook-signature`).
 * The address is checked first (SPEC §16) and connected to as checked;
 * redirects are not followed (a 3xx is a failed attempt); `timeoutMs` bounds
 * the whole attempt, from connect to the last byte of the answer's head.
 */
export async function attemptDelivery(attempt: Attempt, policy: EndpointPolicy, timeoutMs: number): Promise<AttemptOutcome> {
  const url = new URL(attempt.url);
  const resolved = await resolveEndpoint(url, policy);
  if (!resolved.ok) return refused(resolved.refusal);
  const timestamp = new Date();
  const signature = new Webhook(attempt.secret).sign(attempt.id, timestamp, attempt.body);
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: resolved.address, family: resolved.family }]);
    else callback(null, resolved.address, resolved.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const done = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = send(
      url,
      {
        method: 'POST',
        lookup: pinned,
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'webhook-id': attempt.id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > ANSWER_BYTES_MAX) res.destroy();
        });
        res.on('error', () => undefined);
        res.resume();
        done({ ok: status >= 200 && status < 300, status, error: null });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ ok: false, status: null, error: 'timeout' });
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, status: null, error: err.code === 'ECONNREFUSED' ? 'refused' : 'network_error' }));
    req.end(attempt.body);
  });
}

const refused = (refusal: Refusal): AttemptOutcome => ({ ok: false, status: null, error: refusal });
