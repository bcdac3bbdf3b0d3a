import { startAnonymous, testStack } from '@widget/testing';
import { newWidget } from './helpers';

const stack = testStack();

/** Issue 13: answer.text is plain text like a message's text: markup in an article (even entity-spelt) never comes back as a tag. */
describe('POST /ai/answer: answer.text is plain text', () => {
  it('drops tags from the answer, keeps the words', async () => {
    const widget = await newWidget(stack);
    const article = await widget.admin.post(`/workspaces/${widget.workspaceId}/articles`, {
      title: 'Reset your password',
      body: '<p>To reset your password open Settings &lt;img src=x onerror=alert(1)&gt; and choose Reset password &amp;lt;script&amp;gt;alert(2)&amp;lt;/script&amp;gt; then confirm by email.</p>',
      status: 'published',
    });
    expect(article.status).toBe(201);
    const { token } = await startAnonymous(widget);
    const res = await widget.api.post('/ai/answer', { question: 'How do I reset my password?' }, { token });
    expect(res.status).toBe(200);
    expect(res.body.answer).not.toBeNull();
    expect(res.body.answer.text).toMatch(/reset your password/i);
    expect(res.body.answer.text).not.toMatch(/<\s*(img|script)|onerror|&lt;|&gt;/i);
  });
});
