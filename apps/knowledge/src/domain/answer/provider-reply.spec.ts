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

  it('recognises a decline, also inside a sentence', () => {
    expect(parseProviderReply(reply('NO_ANSWER'), 2)).toEqual({ kind: 'declined', reason: 'no_answer' });
    expect(parseProviderReply(reply(' NO_ANSWER. '), 2)).toEqual({ kind: 'declined', reason: 'no_answer' });
    expect(parseProviderReply(reply('The passages do not say: NO_ANSWER [1].'), 2)).toEqual({ kind: 'declined', reason: 'no_answer' });
  });

  it('declines a reply not grounded in the passages: no citation ("I don\'t know" in its own words included), or one it was not given', () => {
    expect(parseProviderReply(reply('Just trust me.'), 2)).toEqual({ kind: 'declined', reason: 'no_citation' });
    expect(parseProviderReply(reply("I'm sorry, I don't know."), 2)).toEqual({ kind: 'declined', reason: 'no_citation' });
    expect(parseProviderReply(reply('See [3].'), 2)).toEqual({ kind: 'declined', reason: 'unknown_citation' });
    expect(parseProviderReply(reply('See [0].'), 2)).toEqual({ kind: 'declined', reason: 'unknown_citation' });
    expect(parseProviderReply(reply('Within 14 days [1], or 30 for annual plans [1, 4].'), 2)).toEqual({ kind: 'declined', reason: 'unknown_citation' });
  });

  it('rejects empty or malformed replies (the built-in answer stands)', () => {
    expect(parseProviderReply(reply('   '), 2)).toEqual({ kind: 'invalid', reason: 'empty' });
    expect(parseProviderReply(reply('[1]'), 2)).toEqual({ kind: 'invalid', reason: 'empty' });
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
