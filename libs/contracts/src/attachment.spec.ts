import { ATTACHMENT_NAME_MAX, attachmentLinkQuery, sanitizeAttachmentName } from './attachment';

describe('sanitizeAttachmentName', () => {
  it('keeps the last path segment without control, bidi or zero-width characters or leading dots', () => {
    expect(sanitizeAttachmentName('../../etc/\u202egnp.exe\u0007 photo.png')).toBe('gnp.exe photo.png');
    expect(sanitizeAttachmentName('C:\\Users\\me\\report\u200b.pdf')).toBe('report.pdf');
    expect(sanitizeAttachmentName('..hidden')).toBe('hidden');
    expect(sanitizeAttachmentName('  spaced   out.txt ')).toBe('spaced out.txt');
  });

  it('caps the length, keeping the extension, and never answers empty', () => {
    const long = sanitizeAttachmentName(`${'x'.repeat(500)}.png`);
    expect(long).toHaveLength(ATTACHMENT_NAME_MAX);
    expect(long.endsWith('.png')).toBe(true);
    expect(sanitizeAttachmentName('\u202e\u0000')).toBe('file');
    expect(sanitizeAttachmentName('dir/')).toBe('file');
  });
});

describe('attachmentLinkQuery', () => {
  it('takes unix seconds and a 43-character base64url signature, nothing else', () => {
    expect(attachmentLinkQuery.safeParse({ expires: '1700000000', sig: 'a'.repeat(43) }).success).toBe(true);
    expect(attachmentLinkQuery.safeParse({ expires: '-1', sig: 'a'.repeat(43) }).success).toBe(false);
    expect(attachmentLinkQuery.safeParse({ expires: '1', sig: 'a'.repeat(42) }).success).toBe(false);
    expect(attachmentLinkQuery.safeParse({ expires: '1', sig: 'a'.repeat(43), extra: 'x' }).success).toBe(false);
  });
});
