import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { AppError } from '@widget/common';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe';
import { chargeReply } from '../limits/limiter';

interface DemoSeed {
  workspaceId: string;
  widgetId: string;
  widgetSecret: string;
}

/**
 * "Log in" makes each browser its own demo user: the first token mints a random
 * id, the demo page keeps it and sends it back, so one browser stays one user
 * and no caller can read another's conversations (the id is as unguessable as a
 * session token).
 */
const DEMO_USER_ID = /^demo_[A-Za-z0-9_-]{22}$/;
const newDemoUserId = () => `demo_${randomBytes(16).toString('base64url')}`;
const tokenRequest = new ZodPipe(z.object({ demoUserId: z.string().regex(DEMO_USER_ID, 'must be an id this endpoint gave').optional() }).strict());

/** Takes one point from the client address's demo-token bucket (RATE_LIMIT_ADDRESS_DEMO_TOKENS), or throws RateLimitedError. */
export type DemoTokenCharge = (address: string) => Promise<void>;

/**
 * The demo site's two dynamic pieces, registered only when DEMO_MODE=true
 * (npm run stack and the browser tests; never the production images):
 * `GET /demo/settings.js` (the seeded widget's ids and `apiBase`, from the
 * configuration: page-sets.ts `demoApiBase`) and `POST /demo/identity-token`,
 * which signs an identity JWT for the caller's own demo user with the seeded
 * widget's secret, as a customer's own backend would, limited per address.
 */
export function registerDemo(fastify: FastifyInstance, seedFile: string, apiBase: string, charge: DemoTokenCharge): void {
  const seed = (): DemoSeed => {
    if (!existsSync(seedFile)) throw new AppError('not_found', 'The demo is not seeded yet.', { reason: 'demo_not_seeded' });
    return JSON.parse(readFileSync(seedFile, 'utf8')) as DemoSeed;
  };

  fastify.get('/demo/settings.js', (_request, reply) => {
    const { workspaceId, widgetId } = seed();
    const settings = JSON.stringify({ workspaceId, widgetId, apiBase });
    void reply
      .headers({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' })
      .send(
        '// What a site owner pastes (inline on a normal page; a file here, for the strict CSP).\n' +
          'window.SupportChat = window.SupportChat || function () { (SupportChat.q = SupportChat.q || []).push(arguments) };\n' +
          `window.SupportChatSettings = ${settings};\n` +
          // The snippet's <script async src="<apiBase>/widget/v1/widget.js">, added the same way.
          `(function (d) { var s = d.createElement('script'); s.async = true; s.src = ${JSON.stringify(`${apiBase}/widget/v1/widget.js`)}; d.head.appendChild(s); })(document);\n`,
      );
  });

  fastify.post('/demo/identity-token', async (request, reply) => {
    await chargeReply(reply, () => charge(request.ip));
    const demoUserId = tokenRequest.transform(request.body).demoUserId ?? newDemoUserId();
    const { workspaceId, widgetId, widgetSecret } = seed();
    const token = await new SignJWT({ workspace_id: workspaceId, widget_id: widgetId, email: `${demoUserId}@demo.example.com`, name: 'Demo User' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(demoUserId)
      .setAudience('clad_support_chat')
      .setIssuedAt()
      .setExpirationTime('10m')
      .setJti(randomBytes(12).toString('hex'))
      .sign(new TextEncoder().encode(widgetSecret));
    void reply.header('cache-control', 'no-store').send({ token, demoUserId });
  });
}
