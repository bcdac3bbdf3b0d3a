import { AppError } from '@widget/common';
import { decodeActivityCursor, decodeExportCursor, decodeMessageCursor, encodeActivityCursor, encodeExportCursor, encodeMessageCursor } from './cursor';

const conv = 'conv_01JD0000000000000000000000';
const msg = 'msg_01JD0000000000000000000000';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? `${err.code}/${err.reason}` : 'other';
  }
}

describe('cursors', () => {
  it('round-trips activity and message positions', () => {
    const key = { updatedAt: '2024-11-25T10:00:00.123Z', id: conv };
    expect(decodeActivityCursor(encodeActivityCursor(key))).toEqual(key);
    expect(decodeMessageCursor(encodeMessageCursor({ before: msg }))).toEqual({ before: msg });
    expect(decodeMessageCursor(encodeMessageCursor({ after: msg }))).toEqual({ after: msg });
  });

  it('refuses garbage, tampered and cross-list cursors as invalid_cursor', () => {
    const bad = 'validation_error/invalid_cursor';
    expect(codeOf(() => decodeActivityCursor('!!!'))).toBe(bad);
    expect(codeOf(() => decodeActivityCursor(Buffer.from('{"a":1}').toString('base64url')))).toBe(bad);
    expect(codeOf(() => decodeActivityCursor(encodeMessageCursor({ before: msg })))).toBe(bad);
    expect(codeOf(() => decodeMessageCursor(encodeActivityCursor({ updatedAt: '2024-11-25T10:00:00.123Z', id: conv })))).toBe(bad);
    expect(codeOf(() => decodeActivityCursor(Buffer.from(JSON.stringify(['c', "'; drop", conv])).toString('base64url')))).toBe(bad);
    expect(codeOf(() => decodeMessageCursor(Buffer.from(JSON.stringify(['b', 'msg_x'])).toString('base64url')))).toBe(bad);
  });

  it("export positions: each phase with its own ids, '' for a phase's start; anything else is invalid_cursor", () => {
    const att = 'att_01JD0000000000000000000000';
    for (const position of [
      { phase: 'conversations' as const, conversationId: conv, id: conv },
      { phase: 'messages' as const, conversationId: conv, id: msg },
      { phase: 'attachments' as const, conversationId: '', id: '' },
      { phase: 'attachments' as const, conversationId: conv, id: att },
    ]) {
      expect(decodeExportCursor(encodeExportCursor(position))).toEqual(position);
    }
    const bad = 'validation_error/invalid_cursor';
    const raw = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    expect(codeOf(() => decodeExportCursor(raw(['x', 'messages', conv, att])))).toBe(bad);
    expect(codeOf(() => decodeExportCursor(raw(['x', 'events', conv, msg])))).toBe(bad);
    expect(codeOf(() => decodeExportCursor(raw(['x', 'messages', "'; drop", msg])))).toBe(bad);
    expect(codeOf(() => decodeExportCursor(encodeMessageCursor({ after: msg })))).toBe(bad);
  });
});
