import { escapeHtml, html, invitationMail, newConversationMail, oneLine, transcriptMail, unreadRepliesMail, webhookDisabledMail } from './templates';

const script = '<script>alert("x")</script> & \'quoted\'';

describe('email templates', () => {
  it('escapes every interpolated string, but not markup the templates made', () => {
    expect(escapeHtml(script)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    const inner = html`<b>${script}</b>`;
    expect(html`<p>${inner}</p>`.markup).toBe(`<p><b>${escapeHtml(script)}</b></p>`);
    expect(html`${[inner, inner]}`.markup).toBe(inner.markup + inner.markup);
  });

  it('writes unread replies with every written string escaped in the HTML and kept as written in the text', () => {
    const mail = unreadRepliesMail({
      workspaceName: 'Acme <Support>',
      lines: [{ author: 'Bob <b>', text: `${script}\nsecond line`, at: '2026-12-07 10:00 UTC' }],
      canReply: true,
      unsubscribeUrl: 'https://chat.example.com/widget/v1/email/unsubscribe?token=a"b',
    });
    expect(mail.subject).toBe('New reply from Acme <Support>');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.html).toContain('second line');
    expect(mail.html).toContain('Bob &lt;b&gt;');
    expect(mail.html).toContain('<title>New reply from Acme &lt;Support&gt;</title>');
    expect(mail.html).toContain('token=a&quot;b');
    expect(mail.text).toContain(script);
    expect(mail.text).toContain('Reply to this email');
    expect(mail.text).toContain('unsubscribe?token=a"b');
  });

  it('says so when replies cannot come back by email', () => {
    const mail = transcriptMail({ workspaceName: 'Acme', lines: [], canReply: false, unsubscribeUrl: 'https://x/u' });
    expect(mail.text).toContain('Open the chat on our site');
    expect(mail.text).not.toContain('Reply to this email');
  });

  it('keeps subjects on one line', () => {
    expect(oneLine('a\r\nBcc: victim@example.com')).toBe('a Bcc: victim@example.com');
    expect(oneLine('x'.repeat(300))).toHaveLength(200);
    expect(newConversationMail({ workspaceName: 'W', subject: 'help\nme', firstMessage: null, openUrl: 'https://x' }).subject).toBe('New conversation in W: help me');
  });

  it("escapes a visitor's first words in a member's notice and an operator's webhook URL in the owners' warning", () => {
    const notice = newConversationMail({ workspaceName: 'W', subject: null, firstMessage: `${script}\nline 2`, openUrl: 'https://x/inbox/' });
    expect(notice.html).toContain(`${escapeHtml(script)}<br>line 2`);
    expect(notice.html).not.toContain('<script>');
    expect(notice.text).toContain(script);
    const warning = webhookDisabledMail({ workspaceName: 'W', url: 'https://hooks.example.com/?a=<b>', webhookId: 'wh_1' });
    expect(warning.html).toContain('<code>https://hooks.example.com/?a=&lt;b&gt;</code>');
  });

  it('writes an invitation with its link in the HTML attribute escaped', () => {
    const mail = invitationMail({ workspaceName: '<W>', role: 'agent', acceptUrl: 'https://x/inbox/#invite=inv_abc&x="y"', expiresAt: '2026-12-10T00:00:00.000Z' });
    expect(mail.html).toContain('href="https://x/inbox/#invite=inv_abc&amp;x=&quot;y&quot;"');
    expect(mail.html).toContain('<strong>&lt;W&gt;</strong>');
    expect(mail.text).toContain('https://x/inbox/#invite=inv_abc&x="y"');
  });
});
