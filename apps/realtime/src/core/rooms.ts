import { Audience, SessionContext } from '@widget/contracts';
import type { Viewer } from './viewer';

/** Every visitor socket joins its session's room; an identified one also joins its user's (all devices). */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const userRoom = (userId: string) => `user:${userId}`;
/** Operator feeds: every conversation event of the workspace. */
export const workspaceRoom = (workspaceId: string) => `workspace:${workspaceId}`;

export function roomsOf(session: SessionContext): string[] {
  return session.userId ? [sessionRoom(session.sessionId), userRoom(session.userId)] : [sessionRoom(session.sessionId)];
}

export function roomsOfViewer(viewer: Viewer): string[] {
  return viewer.kind === 'visitor' ? roomsOf(viewer.session) : [workspaceRoom(viewer.operator.workspaceId)];
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
