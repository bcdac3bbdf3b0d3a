import { auditable, sensitiveStrings } from './log-audit';

describe('log audit: what is recorded', () => {
  it('keeps the strings a person wrote and the secrets, not ids or configuration', () => {
    const body = {
      workspaceId: 'ws_0123456789abcdef',
      message: 'my order never arrived',
      clientMessageId: 'c-0123456789',
      author: { id: 'op_1', name: 'Alex from Support' },
      values: { email: 'ada@mail.example', details: ['first line of it', 'second line here'] },
      token: 'wst_abcdefghijklmnop',
      error: { code: 'validation_error' },
    };
    expect(sensitiveStrings(body).sort()).toEqual(['Alex from Support', 'ada@mail.example', 'first line of it', 'my order never arrived', 'second line here', 'wst_abcdefghijklmnop'].sort());
  });

  it('skips values too short or too uniform to be found by coincidence only', () => {
    expect(auditable('hello')).toBe(false);
    expect(auditable('aaaaaaaaaaaaaaaa')).toBe(false);
    expect(auditable('          x')).toBe(false);
    expect(auditable('a visitor wrote this')).toBe(true);
    expect(auditable('x'.repeat(5000))).toBe(false);
  });
});
