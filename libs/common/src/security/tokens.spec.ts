import { hashToken, newOpaqueToken, safeEqual, SecretBox } from './tokens';

describe('tokens', () => {
  it('makes 256-bit url-safe tokens with a prefix, all different', () => {
    const a = newOpaqueToken('wst');
    expect(a).toMatch(/^wst_[A-Za-z0-9_-]{43}$/);
    expect(newOpaqueToken('wst')).not.toBe(a);
  });

  it('hashes deterministically, never returning the token', () => {
    const token = newOpaqueToken('wst');
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
  });

  it('compares in constant time', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('SecretBox', () => {
  const key = Buffer.alloc(32, 7).toString('base64');

  it('round-trips and never stores the plain text', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('whsec_secret');
    expect(sealed).not.toContain('whsec_secret');
    expect(box.open(sealed)).toBe('whsec_secret');
    expect(box.seal('whsec_secret')).not.toBe(sealed);
  });

  it('refuses a tampered ciphertext and another key', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('whsec_secret');
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => box.open(raw.toString('base64url'))).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 8).toString('base64')).open(sealed)).toThrow();
  });

  it('wants a 32-byte key', () => {
    expect(() => new SecretBox(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
