import { Audience, SessionContext } from '@widget/contracts';
import type { Viewer } from './viewer';

/** Every visitor socket joins its session's room; an identified one also joins its user's (all devices). */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const userRoom = (userId: string) => `user:${userId}`;
/** Operator feeds: every conversation event of the workspace. */
export const workspaceRoom = (workspaceId: string) => `workspace:${workspaceId}`;
/** Every operator socket of one account or API key (SPEC §14): ended at once when its access changes. */
export const principalRoom = (principalId: string) => `principal:${principalId}`;
/** Every operator socket opened through one operator token (its `credential`): ended when that token signs out. */
export const credentialRoom = (credential: string) => `credential:${credential}`;

export function roomsOf(session: SessionContext): string[] {
  return session.userId ? [sessionRoom(session.sessionId), userRoom(session.userId)] : [sessionRoom(session.sessionId)];
}

export function roomsOfViewer(viewer: Viewer): string[] {
  if (viewer.kind === 'visitor') return roomsOf(viewer.session);
  const { workspaceId, principal } = viewer.operator;
  return [workspaceRoom(workspaceId), ...(principal?.id ? [principalRoom(principal.id)] : []), ...(principal?.credential ? [credentialRoom(principal.credential)] : [])];
}

/**
 * The one visitor room an event goes to: the owning user's when the conversation
 * belongs to an identified user, else the owning session's. Null when the
 * audience names nobody (never broadcast by default).
 */
export function roomOf(audience: Audience | undefined): string | null {
  if (!audience) return null;
  if (audience.userId) return userRoom(audience.userId);
  if (audience.sessionId) return sessionRoom(audience.sessionId);
  return null;
}
