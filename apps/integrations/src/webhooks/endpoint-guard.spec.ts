import { isPublicAddress, resolveEndpoint } from './endpoint-guard';

describe('webhook endpoint guard (SPEC §16 SSRF rules)', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1'])(
    '%s is not public',
    (address) => expect(isPublicAddress(address)).toBe(false),
  );

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111'])('%s is public', (address) => expect(isPublicAddress(address)).toBe(true));

  const strict = { allowHttp: false, allowPrivate: false };

  it('refuses http unless allowed, and a private address unless allowed', async () => {
    await expect(resolveEndpoint(new URL('http://93.184.216.34/hook'), strict)).resolves.toEqual({ ok: false, refusal: 'http_not_allowed' });
    await expect(resolveEndpoint(new URL('https://127.0.0.1/hook'), strict)).resolves.toEqual({ ok: false, refusal: 'address_not_allowed' });
    await expect(resolveEndpoint(new URL('https://[::1]/hook'), strict)).resolves.toEqual({ ok: false, refusal: 'address_not_allowed' });
    await expect(resolveEndpoint(new URL('https://localhost/hook'), strict)).resolves.toEqual({ ok: false, refusal: 'address_not_allowed' });
    await expect(resolveEndpoint(new URL('http://127.0.0.1:9/hook'), { allowHttp: true, allowPrivate: true })).resolves.toEqual({ ok: true, address: '127.0.0.1', family: 4 });
  });
});
