import { principalRoom, sessionRoom } from '../core/rooms';
import { Revocations } from './revocations';

describe('Revocations', () => {
  let now = 1_000_000;
  const revocations = new Revocations();
  revocations.now = () => now;

  it('refuses every token of a revoked session, for as long as a realtime token can live (+30 s)', () => {
    revocations.revoked(sessionRoom('ses_A'));
    expect(revocations.sessionRevoked('ses_A')).toBe(true);
    expect(revocations.sessionRevoked('ses_B')).toBe(false);
    now += 329_000;
    expect(revocations.sessionRevoked('ses_A')).toBe(true);
    now += 2_000;
    expect(revocations.sessionRevoked('ses_A')).toBe(false);
  });

  it('refuses a principal’s tokens minted up to the change, not the ones minted after it', () => {
    const at = now;
    revocations.revoked(principalRoom('op_1'));
    expect(revocations.principalRevoked('op_1', at - 60_000)).toBe(true);
    expect(revocations.principalRevoked('op_1', at)).toBe(true);
    expect(revocations.principalRevoked('op_1', at + 1)).toBe(false);
    expect(revocations.principalRevoked('op_2', at - 60_000)).toBe(false);
    // The root key has no id: nothing revokes it.
    expect(revocations.principalRevoked(null, at - 60_000)).toBe(false);
  });

  it('forgets what can no longer refuse anything when it records more', () => {
    revocations.revoked(sessionRoom('ses_D'));
    expect(revocations.size).toBe(2);
    now += 400_000;
    revocations.revoked(sessionRoom('ses_C'));
    expect(revocations.size).toBe(1);
    expect(revocations.sessionRevoked('ses_D')).toBe(false);
  });
});
