import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { Api } from './http';
import { recordSensitive } from './log-audit';
import { StackInfo } from './stack';

export const TEST_ORIGIN = 'https://shop.example.com';

export interface TestWidget {
  workspaceId: string;
  widgetId: string;
  secret: string;
  /** The widget API, sending the allow-listed Origin by default. */
  api: Api;
  admin: AdminApi;
}

/** The operator API with the admin key sent on every call. */
export class AdminApi {
  private readonly api: Api;

  constructor(
    baseUrl: string,
    private readonly key: string,
  ) {
    this.api = new Api(`${baseUrl}/admin/v1`);
  }
  get(path: string) {
    return this.api.get(path, { token: this.key });
  }
  post(path: string, body?: unknown) {
    return this.api.post(path, body, { token: this.key });
  }
  put(path: string, body?: unknown) {
    return this.api.put(path, body, { token: this.key });
  }
  patch(path: string, body?: unknown) {
    return this.api.patch(path, body, { token: this.key });
  }
}

/** A fresh workspace and widget through the operator API; config is merged over sane test defaults. */
export async function createTestWidget(stack: StackInfo, config: Record<string, unknown> = {}): Promise<TestWidget> {
  const admin = new AdminApi(stack.baseUrl, stack.adminKey);
  const ws = await admin.post('/workspaces', { name: `ws-${randomUUID().slice(0, 8)}` });
  if (ws.status !== 201) throw new Error(`workspace create failed: ${ws.status} ${ws.text}`);
  const created = await admin.post(`/workspaces/${ws.body.id}/widgets`, { name: 'Test widget', allowedOrigins: [TEST_ORIGIN], ...config });
  if (created.status !== 201) throw new Error(`widget create failed: ${created.status} ${created.text}`);
  return {
    workspaceId: ws.body.id,
    widgetId: created.body.widget.id,
    secret: created.body.secret,
    api: new Api(`${stack.baseUrl}/widget/v1`, TEST_ORIGIN),
    admin,
  };
}

export async function startAnonymous(widget: TestWidget): Promise<{ token: string; sessionId: string }> {
  const res = await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId });
  if (res.status !== 201) throw new Error(`anonymous session failed: ${res.status} ${res.text}`);
  return { token: res.body.token, sessionId: res.body.session.id };
}

export interface IdentityClaimsInput {
  sub?: string;
  workspace_id?: string;
  widget_id?: string;
  exp?: number;
  aud?: string | string[];
  jti?: string;
  email?: string;
  name?: string;
  company_id?: string;
  [claim: string]: unknown;
}

/** Signs an identity JWT as a site's backend would (HS256 with the widget secret). */
export async function signIdentity(widget: TestWidget, claims: IdentityClaimsInput = {}, secret = widget.secret): Promise<string> {
  const body = {
    sub: `user-${randomUUID()}`,
    workspace_id: widget.workspaceId,
    widget_id: widget.widgetId,
    exp: Math.floor(Date.now() / 1000) + 600,
    jti: randomUUID(),
    ...claims,
  };
  recordSensitive(body.email, body.name);
  return new SignJWT(body).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** The stack booted by Jest's global setup. */
export function testStack(): StackInfo {
  const raw = process.env.WIDGET_TEST_STACK;
  if (!raw) throw new Error('WIDGET_TEST_STACK is not set: run the e2e tests through `npm test` (Jest global setup boots the stack).');
  return JSON.parse(raw) as StackInfo;
}
