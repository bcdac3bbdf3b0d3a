import { buildMessages, parseProviderReply } from './provider-reply';

const reply = (content: unknown) => ({ choices: [{ message: { role: 'assistant', content } }] });

describe('parseProviderReply', () => {
  it('accepts an answer citing given passages and strips the markers', () => {
    expect(parseProviderReply(reply('Ask within 14 days [1]. Money returns to the card [1, 2].'), 2)).toEqual({
      kind: 'answer',
      text: 'Ask within 14 days. Money returns to the card.',
      cited: [1, 2],
    });
  });

  it('recognises a decline', () => {
    expect(parseProviderReply(reply('NO_ANSWER'), 2)).toEqual({ kind: 'declined' });
    expect(parseProviderReply(reply(' NO_ANSWER. '), 2)).toEqual({ kind: 'declined' });
  });

  it('rejects uncited, out-of-range, empty or malformed replies', () => {
    expect(parseProviderReply(reply('Just trust me.'), 2)).toEqual({ kind: 'invalid', reason: 'no_citation' });
    expect(parseProviderReply(reply('See [3].'), 2)).toEqual({ kind: 'invalid', reason: 'unknown_citation' });
    expect(parseProviderReply(reply('See [0].'), 2)).toEqual({ kind: 'invalid', reason: 'unknown_citation' });
    expect(parseProviderReply(reply('   '), 2)).toEqual({ kind: 'invalid', reason: 'empty' });
    expect(parseProviderReply(reply(42), 2)).toEqual({ kind: 'invalid', reason: 'no_content' });
    expect(parseProviderReply({ error: 'x' }, 2)).toEqual({ kind: 'invalid', reason: 'no_content' });
    expect(parseProviderReply(null, 2)).toEqual({ kind: 'invalid', reason: 'no_content' });
  });
});

describe('buildMessages', () => {
  it('sends only the numbered passages and the question', () => {
    const messages = buildMessages('How?', [{ articleId: 'art_1', title: 'T', text: 'Body.' }], 'fr');
    expect(messages[0].role).toBe('system');
    expect(messages[0].content).toContain('fr');
    expect(messages[1].content).toBe('Passages:\n\n[1] T\nBody.\n\nQuestion: How?');
  });
});
