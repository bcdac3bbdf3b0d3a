import { roomOf, roomsOf, roomsOfViewer } from './rooms';

const session = {
  sessionId: 'ses_01J00000000000000000000000',
  workspaceId: 'ws_01J00000000000000000000000',
  widgetId: 'wgt_01J00000000000000000000000',
  identityType: 'anonymous' as const,
  userId: null,
  expiresAt: new Date().toISOString(),
};

describe('rooms', () => {
  it('puts an anonymous socket in its session room only', () => {
    expect(roomsOf(session)).toEqual(['session:ses_01J00000000000000000000000']);
  });

  it('puts an identified socket in its session and user rooms', () => {
    expect(roomsOf({ ...session, identityType: 'identified', userId: 'usr_1' })).toEqual(['session:ses_01J00000000000000000000000', 'user:usr_1']);
  });

  it('addresses the user when the audience has one, else the session, else nobody', () => {
    expect(roomOf({ workspaceId: 'ws', sessionId: 'ses_a', userId: 'usr_b' })).toBe('user:usr_b');
    expect(roomOf({ workspaceId: 'ws', sessionId: 'ses_a', userId: null })).toBe('session:ses_a');
    expect(roomOf({ workspaceId: 'ws', sessionId: null, userId: null })).toBeNull();
    expect(roomOf(undefined)).toBeNull();
  });

  it('puts an operator feed in its workspace room only, a visitor in its session (and user) rooms', () => {
    const root = { kind: 'root' as const, id: null, name: null };
    expect(roomsOfViewer({ kind: 'operator', operator: { workspaceId: 'ws_a', expiresAt: session.expiresAt, principal: root } })).toEqual(['workspace:ws_a']);
    const agent = { kind: 'operator' as const, id: 'op_01J00000000000000000000000', name: 'Ada' };
    expect(roomsOfViewer({ kind: 'operator', operator: { workspaceId: 'ws_a', expiresAt: session.expiresAt, principal: agent } })).toEqual([
      'workspace:ws_a',
      'principal:op_01J00000000000000000000000',
    ]);
    expect(roomsOfViewer({ kind: 'visitor', session, origin: undefined })).toEqual(['session:ses_01J00000000000000000000000']);
  });
});
