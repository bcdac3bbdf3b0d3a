import { clientAddress, relayedForwardedFor } from './client-address';

const req = (remoteAddress: string, forwarded?: string | string[]) => ({ headers: { 'x-forwarded-for': forwarded }, socket: { remoteAddress } });

describe('clientAddress', () => {
  it('is the peer without TRUST_PROXY, whatever X-Forwarded-For says', () => {
    expect(clientAddress(req('10.0.0.5', '203.0.113.7'), false)).toBe('10.0.0.5');
  });

  it('is the first X-Forwarded-For hop with TRUST_PROXY, else the peer', () => {
    expect(clientAddress(req('10.0.0.5', '203.0.113.7, 10.0.0.9'), true)).toBe('203.0.113.7');
    expect(clientAddress(req('10.0.0.5', ['198.51.100.1', '10.0.0.9']), true)).toBe('198.51.100.1');
    expect(clientAddress(req('10.0.0.5'), true)).toBe('10.0.0.5');
  });
});

describe('relayedForwardedFor', () => {
  it('names the client this hop saw first, so the next hop agrees with it', () => {
    for (const trustProxy of [false, true]) {
      const incoming = req('10.0.0.5', '203.0.113.7');
      const relayed = relayedForwardedFor(incoming, trustProxy);
      expect(clientAddress(req('10.0.0.2', relayed), true)).toBe(clientAddress(incoming, trustProxy));
    }
  });

  it('drops what the client sent unless the proxy in front is trusted', () => {
    expect(relayedForwardedFor(req('10.0.0.5', '6.6.6.6'), false)).toBe('10.0.0.5');
    expect(relayedForwardedFor(req('10.0.0.5', '203.0.113.7'), true)).toBe('203.0.113.7, 10.0.0.5');
    expect(relayedForwardedFor(req('10.0.0.5'), true)).toBe('10.0.0.5');
  });
});
