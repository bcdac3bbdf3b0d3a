import { Api, createTestWidget, TEST_ORIGIN, TestWidget } from '@widget/testing';
import type { StackInfo } from '@widget/testing';

/** Another widget in the same workspace (other config), with its own anonymous session. */
export async function siblingWidget(stack: StackInfo, base: TestWidget, config: Record<string, unknown>): Promise<{ api: Api; token: string; widgetId: string }> {
  const created = await base.admin.post(`/workspaces/${base.workspaceId}/widgets`, { name: 'Sibling', allowedOrigins: [TEST_ORIGIN], ...config });
  if (created.status !== 201) throw new Error(`widget create failed: ${created.status} ${created.text}`);
  const api = new Api(`${stack.baseUrl}/widget/v1`, TEST_ORIGIN);
  const session = await api.post('/sessions/anonymous', { workspaceId: base.workspaceId, widgetId: created.body.widget.id });
  if (session.status !== 201) throw new Error(`session failed: ${session.status} ${session.text}`);
  return { api, token: session.body.token, widgetId: created.body.widget.id };
}

export async function newWidget(stack: StackInfo, config: Record<string, unknown> = {}): Promise<TestWidget> {
  return createTestWidget(stack, config);
}

/** Creates an article and fails loudly otherwise. */
export async function article(widget: TestWidget, body: Record<string, unknown>): Promise<any> {
  const res = await widget.admin.post(`/workspaces/${widget.workspaceId}/articles`, { status: 'published', ...body });
  if (res.status !== 201) throw new Error(`article create failed: ${res.status} ${res.text}`);
  return res.body;
}

export async function collection(widget: TestWidget, name: string): Promise<string> {
  const res = await widget.admin.post(`/workspaces/${widget.workspaceId}/collections`, { name });
  if (res.status !== 201) throw new Error(`collection create failed: ${res.status} ${res.text}`);
  return res.body.id;
}

export const UNKNOWN_ARTICLE = 'art_01J0000000000000000000000Z';
export const UNKNOWN_COLLECTION = 'col_01J0000000000000000000000Z';
export const UNKNOWN_CONVERSATION = 'conv_01J0000000000000000000000Z';

/** The SPEC §3 envelope check every spec shares (libs/testing). */
export { expectEnvelope } from '@widget/testing';
