import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { AppError } from '@widget/common';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';

interface DemoSeed {
  workspaceId: string;
  widgetId: string;
  widgetSecret: string;
}

/** The demo user the "log in" button becomes. */
export const DEMO_USER = { sub: 'demo-user-1', email: 'demo.user@example.com', name: 'Demo User' };

/**
 * The demo site's two dynamic pieces, registered only when DEMO_MODE=true
 * (npm run stack and the browser tests; never the production images):
 * `GET /demo/settings.js` (the seeded widget's ids and `apiBase`, from the
 * configuration: page-sets.ts `demoApiBase`) and `POST /demo/identity-token`,
 * which signs an identity JWT for the demo user with the seeded widget's
 * secret, as a customer's own backend would.
 */
export function registerDemo(fastify: FastifyInstance, seedFile: string, apiBase: string): void {
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

  fastify.post('/demo/identity-token', async (_request, reply) => {
    const { workspaceId, widgetId, widgetSecret } = seed();
    const token = await new SignJWT({ workspace_id: workspaceId, widget_id: widgetId, email: DEMO_USER.email, name: DEMO_USER.name })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(DEMO_USER.sub)
      .setAudience('clad_support_chat')
      .setIssuedAt()
      .setExpirationTime('10m')
      .setJti(randomBytes(12).toString('hex'))
      .sign(new TextEncoder().encode(widgetSecret));
    void reply.header('cache-control', 'no-store').send({ token });
  });
}
