import { NatsBus, natsConnectOptions } from '@widget/common';
import type { NatsPrincipal } from '@widget/contracts';
import type { AdminApi } from './factories';
import { natsPasswordVariable } from './nats-server';
import type { StackInfo } from './stack';

/**
 * A NatsBus connected as one of the stack's own principals (its user,
 * password and reply inbox), so a spec sends exactly what that process may:
 * `const session = await principalBus(stack, 'session')` … `await session.onApplicationShutdown()`.
 */
export async function principalBus(stack: Pick<StackInfo, 'env'>, principal: NatsPrincipal): Promise<NatsBus> {
  const env = { NATS_URL: stack.env.NATS_URL, NATS_PASSWORD: stack.env[natsPasswordVariable(principal)] };
  const bus = new NatsBus({ connection: natsConnectOptions(env, principal, `spec-as-${principal}`), requestTimeoutMs: 15_000 });
  await bus.onModuleInit();
  return bus;
}

/** Who asks a service's privacy part (SPEC §17): the session service erases a person, the gateway exports one. */
export interface PrivacyCallers {
  asSession: NatsBus;
  asGateway: NatsBus;
  close(): Promise<void>;
}

export async function privacyCallers(stack: Pick<StackInfo, 'env'>): Promise<PrivacyCallers> {
  const [asSession, asGateway] = await Promise.all([principalBus(stack, 'session'), principalBus(stack, 'gateway')]);
  return { asSession, asGateway, close: () => Promise.all([asSession.onApplicationShutdown(), asGateway.onApplicationShutdown()]).then(() => undefined) };
}

/**
 * Asks for an erasure through the operator API (`POST …/erasures` with one
 * selector) and waits until `part` (a service's part) is done; returns the
 * erasure as `GET …/erasures/{id}` shows it then (that part's counts).
 */
export async function eraseThroughApi(admin: AdminApi, workspaceId: string, selector: Record<string, string>, part: string, timeoutMs = 20_000): Promise<any> {
  const requested = await admin.post(`/workspaces/${workspaceId}/erasures`, selector);
  if (requested.status !== 202) throw new Error(`erasure request failed: ${requested.status} ${requested.text}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const erasure = (await admin.get(`/workspaces/${workspaceId}/erasures/${requested.body.erasure.id}`)).body.erasure;
    if (erasure?.parts?.[part]?.status === 'done') return erasure;
    if (Date.now() > deadline) throw new Error(`erasure part ${part} not done within ${timeoutMs} ms: ${JSON.stringify(erasure)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
