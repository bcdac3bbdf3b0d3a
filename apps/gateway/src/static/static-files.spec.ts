import { encodeOnce, pickEncoding } from './static-files';

describe('page-set compression', () => {
  const text = Buffer.from('const answer = 42;\n'.repeat(200));

  it('compresses text once, keeps what does not gain, leaves images alone', async () => {
    const encoded = await encodeOnce(text, '.js');
    expect(encoded.br!.length).toBeLessThan(text.length / 10);
    expect(encoded.gzip!.length).toBeLessThan(text.length / 10);
    expect(await encodeOnce(text, '.png')).toEqual({ identity: text });
    expect(await encodeOnce(Buffer.from('tiny'), '.js')).toEqual({ identity: Buffer.from('tiny') });
  });

  it('picks brotli, then gzip, by Accept-Encoding; q=0 refuses one; * accepts any', async () => {
    const encoded = await encodeOnce(text, '.css');
    expect(pickEncoding(encoded, 'gzip, deflate, br')).toBe('br');
    expect(pickEncoding(encoded, 'gzip, br;q=0')).toBe('gzip');
    expect(pickEncoding(encoded, 'br;q=0.0, gzip;q=0')).toBe('identity');
    expect(pickEncoding(encoded, '*')).toBe('br');
    expect(pickEncoding(encoded, undefined)).toBe('identity');
    expect(pickEncoding({ identity: text }, 'br, gzip')).toBe('identity');
  });
});
