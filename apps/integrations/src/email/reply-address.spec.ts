import { hashEmailToken, isEmailToken, newEmailToken, normalAddress, replyAddress, tokenOfRecipient } from './reply-address';

describe('reply addresses', () => {
  it('makes 32-character base32 tokens, each different', () => {
    const tokens = new Set(Array.from({ length: 200 }, newEmailToken));
    expect(tokens.size).toBe(200);
    for (const t of tokens) expect(isEmailToken(t)).toBe(true);
  });

  it('reads the token back from the address, whatever the case', () => {
    const token = newEmailToken();
    expect(tokenOfRecipient(replyAddress(token, 'mail.example.com'), 'mail.example.com')).toBe(token);
    expect(tokenOfRecipient(`REPLY+${token.toUpperCase()}@Mail.Example.com`, 'mail.example.com')).toBe(token);
  });

  it('refuses other addresses', () => {
    const token = newEmailToken();
    expect(tokenOfRecipient(replyAddress(token, 'evil.example.com'), 'mail.example.com')).toBeNull();
    expect(tokenOfRecipient(`support@mail.example.com`, 'mail.example.com')).toBeNull();
    expect(tokenOfRecipient(`reply+short@mail.example.com`, 'mail.example.com')).toBeNull();
    expect(tokenOfRecipient(`reply+${token}1@mail.example.com`, 'mail.example.com')).toBeNull();
    expect(tokenOfRecipient(`reply+${'0'.repeat(32)}@mail.example.com`, 'mail.example.com')).toBeNull();
  });

  it('hashes tokens to hex SHA-256 and compares addresses without case', () => {
    expect(hashEmailToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(normalAddress(' Anna@Example.ORG ')).toBe('anna@example.org');
  });
});
