import { AppError } from '@widget/common';
import { decodeActivityCursor, decodeMessageCursor, encodeActivityCursor, encodeMessageCursor } from './cursor';

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
});
