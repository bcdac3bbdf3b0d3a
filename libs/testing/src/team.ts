import { randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '@widget/contracts';
import { Api } from './http';
import type { StackInfo } from './stack';

/** One person signed in: their account id, email, password and operator token. */
export interface TestOperator {
  id: string;
  email: string;
  password: string;
  name: string;
  token: string;
}

export const testPassword = () => `pw-${randomBytes(12).toString('base64url')}`;
export const testEmail = (label = 'op') => `${label}-${randomUUID().slice(0, 8)}@team.example.com`;

/** The operator API as one bearer sees it. */
export class OperatorApi {
  readonly api: Api;

  constructor(
    baseUrl: string,
    readonly token: string | undefined,
  ) {
    this.api = new Api(`${baseUrl}/admin/v1`);
  }
  get(path: string) {
    return this.api.get(path, { token: this.token });
  }
  post(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.api.post(path, body, { token: this.token, headers });
  }
  put(path: string, body?: unknown) {
    return this.api.put(path, body, { token: this.token });
  }
  patch(path: string, body?: unknown) {
    return this.api.patch(path, body, { token: this.token });
  }
  delete(path: string) {
    return this.api.delete(path, { token: this.token });
  }
}

/** Invites `email` into `workspaceId` as `role` (with `inviter`'s token) and accepts: a signed-in operator. */
export async function addOperator(stack: StackInfo, inviterToken: string, workspaceId: string, role: Role, email = testEmail(role)): Promise<TestOperator> {
  const admin = new Api(`${stack.baseUrl}/admin/v1`);
  const name = `${role[0].toUpperCase()}${role.slice(1)} ${randomUUID().slice(0, 4)}`;
  const invited = await admin.post(`/workspaces/${workspaceId}/members`, { email, name, role }, { token: inviterToken });
  if (invited.status !== 201) throw new Error(`invite failed: ${invited.status} ${invited.text}`);
  const password = testPassword();
  const accepted = await admin.post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password });
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status} ${accepted.text}`);
  return { id: invited.body.member.id, email, password, name, token: accepted.body.token };
}

/** A workspace with one signed-in operator of each role, made with the root key. */
export interface TeamWorkspace {
  workspaceId: string;
  owner: TestOperator;
  admin: TestOperator;
  agent: TestOperator;
}

/** In a new workspace, or in `existing` (one made by createTestWidget, say). */
export async function createTeamWorkspace(stack: StackInfo, existing?: string): Promise<TeamWorkspace> {
  const root = new Api(`${stack.baseUrl}/admin/v1`);
  const workspaceId = existing ?? ((await root.post('/workspaces', { name: `team-${randomUUID().slice(0, 8)}` }, { token: stack.adminKey })).body.id as string);
  const owner = await addOperator(stack, stack.adminKey, workspaceId, 'owner');
  const [admin, agent] = await Promise.all([addOperator(stack, owner.token, workspaceId, 'admin'), addOperator(stack, owner.token, workspaceId, 'agent')]);
  return { workspaceId, owner, admin, agent };
}
