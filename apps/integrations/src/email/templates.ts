/**
 * The emails this service sends, each as a subject, a text part and an HTML
 * part made from one template. Every string a visitor, an agent or an
 * operator wrote reaches the HTML only through the `html` tag, which escapes
 * each interpolated value unless it is markup this file made itself (`Html`),
 * so no template can forget to escape. docs/email.md shows each mail.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML character data or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Markup made by this file: the only kind the `html` tag does not escape. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

type Part = string | number | Html | readonly Html[] | null | undefined;

/** A template literal whose interpolations are escaped (arrays of `Html` joined). */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0];
  parts.forEach((part, i) => {
    out += render(part) + strings[i + 1];
  });
  return new Html(out);
}

function render(part: Part): string {
  if (part === null || part === undefined) return '';
  if (part instanceof Html) return part.markup;
  if (Array.isArray(part)) return part.map((p: Html) => p.markup).join('');
  return escapeHtml(String(part));
}

/** Plain text with its line breaks kept, as HTML. */
const paragraphs = (text: string): Html => new Html(escapeHtml(text).replace(/\r?\n/g, '<br>'));

/** A subject line: one line, at most 200 characters (a header cannot carry a line break). */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailLine {
  /** Who wrote it, as the reader should see it ("You", an agent's name). */
  author: string;
  text: string;
  at: string;
}

function page(title: string, body: Html, footer: Html | null): string {
  return html`<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2328;max-width:560px;margin:0 auto;padding:16px">
${body}${footer ? html`<hr style="border:none;border-top:1px solid #d0d7de;margin:24px 0 12px"><p style="font-size:12px;color:#57606a">${footer}</p>` : ''}
</body></html>`.markup;
}

const lineHtml = (line: MailLine): Html =>
  html`<div style="margin:0 0 16px"><div style="font-size:13px;color:#57606a"><strong>${line.author}</strong> · ${line.at}</div><div style="margin-top:4px">${paragraphs(line.text)}</div></div>`;

const lineText = (line: MailLine): string => `${line.author} (${line.at}):\n${line.text}`;

/** What the end of a visitor's mail says: how to reply, how to stop. */
function visitorFooter(canReply: boolean, unsubscribeUrl: string): { text: string; html: Html } {
  const reply = canReply ? 'Reply to this email to answer in the conversation.' : 'Open the chat on our site to answer.';
  return {
    text: `${reply}\nNo more emails about this conversation: ${unsubscribeUrl}`,
    html: html`${reply}<br><a href="${unsubscribeUrl}" style="color:#57606a">No more emails about this conversation</a>`,
  };
}

/** Agent replies the visitor has not read (one mail per burst). */
export function unreadRepliesMail(input: { workspaceName: string; lines: MailLine[]; canReply: boolean; unsubscribeUrl: string }): RenderedMail {
  const subject = oneLine(`New reply from ${input.workspaceName}`);
  const footer = visitorFooter(input.canReply, input.unsubscribeUrl);
  const intro = input.lines.length === 1 ? 'You have a reply you have not seen yet:' : `You have ${input.lines.length} replies you have not seen yet:`;
  return {
    subject,
    text: [intro, '', ...input.lines.map(lineText).flatMap((t) => [t, '']), '--', footer.text].join('\n'),
    html: page(subject, html`<p>${intro}</p>${input.lines.map(lineHtml)}`, footer.html),
  };
}

/** The whole conversation, on the visitor's request or when it is resolved. */
export function transcriptMail(input: { workspaceName: string; lines: MailLine[]; canReply: boolean; unsubscribeUrl: string }): RenderedMail {
  const subject = oneLine(`Your conversation with ${input.workspaceName}`);
  const footer = visitorFooter(input.canReply, input.unsubscribeUrl);
  const intro = `Here is a copy of your conversation with ${input.workspaceName}.`;
  return {
    subject,
    text: [intro, '', ...input.lines.map(lineText).flatMap((t) => [t, '']), '--', footer.text].join('\n'),
    html: page(subject, html`<p>${intro}</p>${input.lines.map(lineHtml)}`, footer.html),
  };
}

/** A member invitation: the link carries the token in its fragment, which no server (and no access log) ever receives. */
export function invitationMail(input: { workspaceName: string; role: string; acceptUrl: string; expiresAt: string }): RenderedMail {
  const subject = oneLine(`You are invited to ${input.workspaceName}`);
  const text = `You have been invited to join ${input.workspaceName} as ${input.role}.\n\nAccept the invitation: ${input.acceptUrl}\n\nThe invitation expires at ${input.expiresAt}. If you did not expect it, ignore this email.`;
  const body = html`<p>You have been invited to join <strong>${input.workspaceName}</strong> as ${input.role}.</p>
<p><a href="${input.acceptUrl}" style="display:inline-block;padding:8px 16px;background:#0969da;color:#fff;text-decoration:none;border-radius:6px">Accept the invitation</a></p>
<p style="font-size:13px;color:#57606a">The invitation expires at ${input.expiresAt}. If you did not expect it, ignore this email.</p>`;
  return { subject, text, html: page(subject, body, null) };
}

/** SPEC §16: an endpoint disabled after its retries failed for the whole window, to the workspace's owners. */
export function webhookDisabledMail(input: { workspaceName: string; url: string; webhookId: string }): RenderedMail {
  const subject = oneLine(`A webhook of ${input.workspaceName} was disabled`);
  const text = `Deliveries to ${input.url} (webhook ${input.webhookId}) failed for the whole retry window, so the endpoint was disabled.\n\nFix the endpoint, then turn it back on (PATCH the webhook with enabled: true) and retry the failed deliveries from its delivery log.`;
  const body = html`<p>Deliveries to <code>${input.url}</code> (webhook ${input.webhookId}) failed for the whole retry window, so the endpoint was disabled.</p>
<p>Fix the endpoint, then turn it back on (PATCH the webhook with <code>enabled: true</code>) and retry the failed deliveries from its delivery log.</p>`;
  return { subject, text, html: page(subject, body, null) };
}

/** A new conversation while no agent is present, to a member who asked for it. */
export function newConversationMail(input: { workspaceName: string; subject: string | null; firstMessage: string | null; openUrl: string }): RenderedMail {
  const subject = oneLine(`New conversation in ${input.workspaceName}${input.subject ? `: ${input.subject}` : ''}`);
  const first = input.firstMessage ?? '(no message yet)';
  const text = `A visitor started a conversation while nobody was present.\n\n${first}\n\nOpen it: ${input.openUrl}\n\n--\nYou get this because you asked for email about new conversations while nobody is present (your member settings).`;
  const body = html`<p>A visitor started a conversation while nobody was present.</p>
<blockquote style="margin:0 0 16px;padding-left:12px;border-left:3px solid #d0d7de">${paragraphs(first)}</blockquote>
<p><a href="${input.openUrl}">Open it in the inbox</a></p>`;
  const footer = html`You get this because you asked for email about new conversations while nobody is present (your member settings).`;
  return { subject, text, html: page(subject, body, footer) };
}
