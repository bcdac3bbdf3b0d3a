import { TINY_PNG } from '@widget/testing';
import { looksLikePlainText, MarkupScanner, parseAttachmentTypes } from './file-checks';

const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');

describe('attachment file checks', () => {
  it('plain text is UTF-8 without binary controls and without leading markup', () => {
    expect(looksLikePlainText(Buffer.from('hello\nworld — ünïcode\n'), true)).toBe(true);
    expect(looksLikePlainText(Buffer.from('  <!doctype html><script>alert(1)</script>'), true)).toBe(false);
    expect(looksLikePlainText(Buffer.from('\ufeff<svg xmlns="http://www.w3.org/2000/svg"/>'), true)).toBe(false);
    expect(looksLikePlainText(Buffer.from([0x00, 0x01, 0x02, 0x03]), true)).toBe(false);
    expect(looksLikePlainText(Buffer.from([0xc3]), false)).toBe(true); // a character cut at the sample's end
    expect(looksLikePlainText(Buffer.from([0xc3]), true)).toBe(false);
  });

  it('finds markup across chunk boundaries', () => {
    const scanner = new MarkupScanner();
    scanner.push(Buffer.concat([GIF, Buffer.from('<scr')]));
    expect(scanner.found).toBe(false);
    scanner.push(Buffer.from('ipt>alert(1)</script>'));
    expect(scanner.found).toBe(true);
    const clean = new MarkupScanner();
    clean.push(TINY_PNG);
    expect(clean.found).toBe(false);
  });

  it('parses ATTACHMENT_TYPES and refuses unknown names', () => {
    expect(parseAttachmentTypes('png, pdf,png')).toEqual(['image/png', 'application/pdf']);
    expect(() => parseAttachmentTypes('png,exe')).toThrow(/exe/);
    expect(() => parseAttachmentTypes(' , ')).toThrow();
  });
});
