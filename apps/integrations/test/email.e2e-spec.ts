// Over 400 lines: every email case runs on one stack of its own with SMTP peers (the boot is most of its minute); split, each file would boot another.
import {
  createTeamWorkspace,
  createTestWidget,
  eraseThroughApi,
  expectEnvelope,
  freePort,
  metricSample,
  openSocket,
  nextEvent,
  OperatorApi,
  privacyCallers,
  queryDatabase,
  recordSensitive,
  scrapeMetrics,
  Stack,
  startAnonymous,
  TestWidget,
} from '@widget/testing';
import { IntegrationsRpc } from '@widget/contracts';
import { randomUUID } from 'node:crypto';
import { rawReply, ReceivedMail, sendReply, SmtpReceiver, startMailStack } from './mail-peers';

const INBOUND_DOMAIN = 'reply.acme.test';
// Long enough that the visitor's read (one HTTP call right after the agent's reply) lands first even on a loaded CI box.
const DELAY = '4s';

/**
 * SPEC §15 email on a stack of its own (SMTP_URL and a short EMAIL_UNREAD_DELAY), against real peers: an
 * smtp-server that receives what the stack sends, and nodemailer sending replies into the stack's listener.
 */
describe('email (SPEC §15)', () => {
  let stack: Stack;
  let smtp: SmtpReceiver;
  let inboundPort: number;
  let widget: TestWidget;

  /** A visitor with a known email and an open conversation. */
  async function visitor(text = 'Where is my order?'): Promise<{ token: string; sessionId: string; email: string; conversationId: string }> {
    const { token, sessionId } = await startAnonymous(widget);
    const email = `visitor-${randomUUID().slice(0, 8)}@customer.test`;
    expect((await widget.api.patch('/sessions/current', { user: { email } }, { token })).status).toBe(200);
    const created = await widget.api.post('/conversations', { message: text }, { token });
    expect(created.status).toBe(201);
    return { token, sessionId, email, conversationId: created.body.id };
  }

  async function agentSays(conversationId: string, text: string): Promise<string> {
    const res = await widget.admin.post(`/conversations/${conversationId}/messages`, { text, author: { id: 'op-olga', name: 'Olga' } });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const db = <T = any>(sql: string, params: unknown[] = []) => queryDatabase<T>(stack.databaseUrl, sql, params);

  /** Polls until `probe` returns something (the stack works in the background): the assertion comes after, on what it returned. */
  async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > end) throw new Error(`waited ${timeoutMs} ms for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The unread burst of a conversation once it was looked at (closed), with the newest message a mail carried. */
  const burstClosed = (conversationId: string, lastMailed: string | null = null) =>
    until(async () => {
      const [row] = await db<{ due_at: Date | null; last_mailed_message_id: string | null }>(
        `SELECT due_at, last_mailed_message_id FROM integrations.email_bursts WHERE conversation_id = $1`,
        [conversationId],
      );
      return row && row.due_at === null && row.last_mailed_message_id === lastMailed ? row : null;
    }, `the burst of ${conversationId} to close`);

  const tokenIn = (mail: ReceivedMail, pattern: RegExp) => {
    const match = pattern.exec(`${mail.parsed.text}\n${mail.raw}`);
    if (!match) throw new Error(`no ${pattern} in the mail`);
    recordSensitive(match[1]);
    return match[1];
  };
  const replyAddressOf = (mail: ReceivedMail) => {
    const address = mail.parsed.replyTo?.value[0]?.address ?? '';
    recordSensitive(address);
    return address;
  };
  const unsubscribeTokenOf = (mail: ReceivedMail) => tokenIn(mail, /email\/unsubscribe\?token=([a-z2-7]{32})/);

  beforeAll(async () => {
    ({ stack, smtp, inboundPort } = await startMailStack(INBOUND_DOMAIN, {
      EMAIL_UNREAD_DELAY: DELAY,
      EMAIL_RETRY_BASE: '300ms',
      // A webhook to a closed local port is given up on within a second (its owners are told by email).
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_RETRY_WINDOW_MS: '800',
      RATE_LIMIT_SESSION_TRANSCRIPTS: '3/1h',
    }));
    widget = await createTestWidget(stack, { email: { transcriptOnResolve: false } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
  });

  it('mails an agent reply the visitor has not read, once per burst, with the HTML escaped; the visitor answers by email and it arrives in the widget', async () => {
    const v = await visitor();
    const first = await agentSays(v.conversationId, 'Hi! <script>alert("x")</script> Your parcel left today & arrives soon.');
    const second = await agentSays(v.conversationId, 'Tracking: 4711');

    const mail = await smtp.next((m) => m.to.includes(v.email));
    expect(mail.parsed.subject).toMatch(/^New reply from ws-/);
    expect(mail.parsed.from?.value[0]?.address).toBe('support@acme.test');
    // Both replies of the burst in one mail; the text part as written, the HTML escaped.
    expect(mail.parsed.text).toContain('Hi! <script>alert("x")</script> Your parcel left today & arrives soon.');
    expect(mail.parsed.text).toContain('Tracking: 4711');
    expect(mail.parsed.html).toContain('Hi! &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Your parcel left today &amp; arrives soon.');
    expect(mail.parsed.html).not.toContain('<script>');
    const headers = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
    expect(headers).toMatch(/^List-Unsubscribe: <https:\/\/support\.acme\.test\/widget\/v1\/email\/unsubscribe\?token=[a-z2-7]{32}>$/m);
    const replyTo = replyAddressOf(mail);
    expect(replyTo).toMatch(new RegExp(`^reply\\+[a-z2-7]{32}@${INBOUND_DOMAIN.replace(/\./g, '\\.')}$`));
    await burstClosed(v.conversationId, second);
    expect(smtp.to(v.email)).toHaveLength(1);
    expect(first < second).toBe(true);
    // Only the tokens' hashes are stored.
    const token = replyTo.slice('reply+'.length, replyTo.indexOf('@'));
    expect(await db(`SELECT 1 FROM integrations.email_tokens WHERE email_tokens::text LIKE $1`, [`%${token}%`])).toEqual([]);

    const rt = await widget.api.post('/sessions/realtime-token', undefined, { token: v.token });
    const socket = await openSocket(stack.baseUrl, { token: rt.body.token });
    try {
      const arrived = nextEvent(socket, 'message.created', (e: any) => e.payload.message.channel === 'email');
      const quoted = `Great, thanks Olga!\r\nSee you.\r\n\r\nOn Mon, Dec 7, 2026 at 10:02 AM Acme Support <\r\n${replyTo}> wrote:\r\n\r\n> Hi! Your parcel left today.\r\n> Tracking: 4711\r\n`;
      const sent = await sendReply(inboundPort, { from: `Vera Visitor <${v.email}>`, to: replyTo, text: quoted, inReplyTo: mail.parsed.messageId });
      expect(sent.response).toMatch(/^250 /);
      const event = await arrived;
      expect(event.payload.message).toMatchObject({ conversationId: v.conversationId, channel: 'email', text: 'Great, thanks Olga!\nSee you.', author: { type: 'user' } });

      // The email thread round trip, for the record (the lead quotes it).
      console.log(
        [
          '--- email thread round trip ---',
          `stack -> visitor: From: ${mail.parsed.from?.text} | To: ${mail.to.join(', ')} | Subject: ${mail.parsed.subject}`,
          `  Reply-To: reply+<token>@${INBOUND_DOMAIN} | List-Unsubscribe: <${'https://support.acme.test/widget/v1/email/unsubscribe?token=<token>'}>`,
          ...mail.parsed.text!.split('\n').map((l) => `  | ${l.replace(/token=[a-z2-7]{32}/, 'token=<token>')}`),
          `visitor -> stack (SMTP ${sent.response}):`,
          ...quoted.replace(replyTo, 'reply+<token>@' + INBOUND_DOMAIN).split('\r\n').map((l) => `  | ${l}`),
          `widget socket message.created: ${JSON.stringify({ channel: event.payload.message.channel, author: event.payload.message.author, text: event.payload.message.text })}`,
        ].join('\n'),
      );
    } finally {
      socket.close();
    }
    // The operator sees it too, as a visitor message that came by email.
    const thread = await widget.admin.get(`/conversations/${v.conversationId}/messages`);
    expect(thread.body.data[0]).toMatchObject({ channel: 'email', text: 'Great, thanks Olga!\nSee you.' });
    expect(thread.body.data[1]).toMatchObject({ channel: 'web', author: { type: 'agent' } });
  });

  it('does not mail a reply the visitor read in time', async () => {
    const v = await visitor();
    await agentSays(v.conversationId, 'Read me on the site');
    expect((await widget.api.post(`/conversations/${v.conversationId}/read`, {}, { token: v.token })).status).toBe(200);
    await burstClosed(v.conversationId, null);
    expect(smtp.to(v.email)).toEqual([]);
    expect(await db(`SELECT id FROM integrations.mail_queue WHERE conversation_id = $1`, [v.conversationId])).toEqual([]);
  });

  describe('replies refused at SMTP time, nothing stored', () => {
    let v: Awaited<ReturnType<typeof visitor>>;
    let replyTo: string;
    const messageCount = async () => (await widget.admin.get(`/conversations/${v.conversationId}/messages?limit=100`)).body.data.length;

    beforeAll(async () => {
      v = await visitor();
      await agentSays(v.conversationId, 'Anything else?');
      replyTo = replyAddressOf(await smtp.next((m) => m.to.includes(v.email)));
    });

    const refused = async (mail: Parameters<typeof sendReply>[1]) => {
      const before = await messageCount();
      const error = await sendReply(inboundPort, mail).then(
        () => null,
        (err: { responseCode?: number; response?: string }) => err,
      );
      expect(error?.responseCode).toBeGreaterThanOrEqual(500);
      expect(await messageCount()).toBe(before);
      return error!;
    };

    it('a forged or unknown token', async () => {
      const forged = `reply+${'a'.repeat(32)}@${INBOUND_DOMAIN}`;
      expect((await refused({ from: v.email, to: forged, text: 'let me in' })).responseCode).toBe(550);
      expect((await refused({ from: v.email, to: `support@${INBOUND_DOMAIN}`, text: 'hello?' })).responseCode).toBe(550);
    });

    it('a sender other than the address the mail went to', async () => {
      const error = await refused({ from: 'mallory@evil.test', to: replyTo, text: 'I am the visitor, honest' });
      expect(error.responseCode).toBe(550);
      expect(error.response).toMatch(/5\.7\.1/);
    });

    it('a malformed one (no From header)', async () => {
      const before = await messageCount();
      const error = await rawReply(inboundPort, { from: v.email, to: replyTo }, `To: ${replyTo}\r\nSubject: Re\r\n\r\nNo From header here\r\n`);
      expect(error?.responseCode).toBe(550);
      expect(await messageCount()).toBe(before);
    });

    it('a reply with no new text above the quote, and an oversized one', async () => {
      expect((await refused({ from: v.email, to: replyTo, text: '\r\nOn Mon, Dec 7, 2026 at 10:02 AM Acme <x@y> wrote:\r\n> Anything else?\r\n' })).responseCode).toBe(550);
      expect((await refused({ from: v.email, to: replyTo, text: 'x'.repeat(2 * 1024 * 1024) })).responseCode).toBe(552);
    });
  });

  it('keeps mail while the SMTP server is down and delivers it exactly once when it is back', async () => {
    await smtp.stop();
    const v = await visitor();
    await agentSays(v.conversationId, 'Sent while the relay is down');
    const [waiting] = await until(async () => {
      const rows = await db<{ id: string; attempts: number; status: string }>(
        `SELECT id, attempts, status FROM integrations.mail_queue WHERE conversation_id = $1 AND attempts >= 2 AND last_error IS NOT NULL`,
        [v.conversationId],
      );
      return rows.length > 0 ? rows : null;
    }, 'failed attempts while the SMTP server is down');
    expect(waiting.status).toBe('pending');
    const integrations = stack.apps.find((a) => a.name === 'integrations')!;
    expect(metricSample(await scrapeMetrics(integrations.metricsUrl), 'mail_queue_pending')).toBeGreaterThanOrEqual(1);

    await smtp.start();
    const mail = await smtp.next((m) => m.to.includes(v.email));
    expect(mail.parsed.text).toContain('Sent while the relay is down');
    const sent = await until(
      async () => (await db(`SELECT status, sent_at FROM integrations.mail_queue WHERE id = $1 AND status = 'sent'`, [waiting.id]))[0] ?? null,
      'the mail marked sent',
    );
    expect(sent.sent_at).not.toBeNull();
    expect(smtp.to(v.email)).toHaveLength(1);
    expect(smtp.to(v.email)[0].parsed.messageId).toBe(`<${waiting.id}@acme.test>`);
  });

  describe('transcripts', () => {
    it('on request: 202, then the whole conversation by email; refused without a known email or for another session', async () => {
      const v = await visitor('I need a copy of this chat');
      await agentSays(v.conversationId, 'Sure, here it comes');
      const res = await widget.api.post(`/conversations/${v.conversationId}/transcript`, undefined, { token: v.token });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: 'queued' });
      const mail = await smtp.next((m) => m.to.includes(v.email) && m.parsed.subject?.startsWith('Your conversation with') === true);
      expect(mail.parsed.text).toContain('You (');
      expect(mail.parsed.text).toContain('I need a copy of this chat');
      expect(mail.parsed.text).toContain('Olga (');
      expect(mail.parsed.text).toContain('Sure, here it comes');

      const other = await startAnonymous(widget);
      expectEnvelope(await widget.api.post(`/conversations/${v.conversationId}/transcript`, undefined, { token: other.token }), 404, 'conversation_not_found');
      const own = await widget.api.post('/conversations', { message: 'no email here' }, { token: other.token });
      expectEnvelope(await widget.api.post(`/conversations/${own.body.id}/transcript`, undefined, { token: other.token }), 400, 'validation_error', 'email_unknown');
    });

    it('limited per session (RATE_LIMIT_SESSION_TRANSCRIPTS, here 3/1h): 429 with Retry-After', async () => {
      const v = await visitor('Copies, please');
      for (let i = 0; i < 3; i++) expect((await widget.api.post(`/conversations/${v.conversationId}/transcript`, undefined, { token: v.token })).status).toBe(202);
      const refused = await widget.api.post(`/conversations/${v.conversationId}/transcript`, undefined, { token: v.token });
      expectEnvelope(refused, 429, 'rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('on resolve when the widget says email.transcriptOnResolve', async () => {
      expect((await widget.admin.patch(`/widgets/${widget.widgetId}`, { email: { transcriptOnResolve: true } })).status).toBe(200);
      try {
        const v = await visitor('Please close this when done');
        await agentSays(v.conversationId, 'Done, closing');
        expect((await widget.api.post(`/conversations/${v.conversationId}/read`, {}, { token: v.token })).status).toBe(200);
        expect((await widget.admin.patch(`/conversations/${v.conversationId}`, { status: 'resolved' })).status).toBe(200);
        const mail = await smtp.next((m) => m.to.includes(v.email) && m.parsed.subject?.startsWith('Your conversation with') === true);
        expect(mail.parsed.text).toContain('Please close this when done');
        expect(mail.parsed.text).toContain('Done, closing');
      } finally {
        await widget.admin.patch(`/widgets/${widget.widgetId}`, { email: { transcriptOnResolve: false } });
      }
    });
  });

  it('unsubscribe: the link stops the mail about that conversation; an unknown token is not_found', async () => {
    const v = await visitor();
    const last = await agentSays(v.conversationId, 'First reply');
    const mail = await smtp.next((m) => m.to.includes(v.email));
    await burstClosed(v.conversationId, last);
    const token = unsubscribeTokenOf(mail);

    const res = await fetch(`${stack.baseUrl}/widget/v1/email/unsubscribe?token=${token}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unsubscribed: true });
    const unknown = await widget.api.get(`/email/unsubscribe?token=${'b'.repeat(32)}`);
    expectEnvelope(unknown, 404, 'not_found', 'email_token_not_found');
    expectEnvelope(await widget.api.get('/email/unsubscribe?token=nope'), 400, 'validation_error');

    const later = await agentSays(v.conversationId, 'Second reply, after the unsubscribe');
    await burstClosed(v.conversationId, later);
    expect(smtp.to(v.email)).toHaveLength(1);
  });

  it("privacy (SPEC §17): a visitor's mail, tokens and bursts are in their export and gone with their erasure", async () => {
    const v = await visitor('Mail me, then forget me');
    const last = await agentSays(v.conversationId, 'Reply that goes by mail');
    await smtp.next((m) => m.to.includes(v.email));
    await burstClosed(v.conversationId, last);
    const held = `SELECT (SELECT count(*)::int FROM integrations.mail_queue WHERE session_id = $1) AS mail,
                         (SELECT count(*)::int FROM integrations.email_tokens WHERE session_id = $1) AS tokens,
                         (SELECT count(*)::int FROM integrations.email_bursts WHERE conversation_id = $2) AS bursts`;
    expect((await db(held, [v.sessionId, v.conversationId]))[0]).toEqual({ mail: 1, tokens: 2, bursts: 1 });

    // This stack runs only the services email needs: the integrations part of the export is asked as the gateway asks it.
    const callers = await privacyCallers(stack);
    const pages: Record<string, any[]>[] = [];
    try {
      let cursor: string | undefined;
      do {
        const chunk = await callers.asGateway.send(IntegrationsRpc.exportPerson, { person: { workspaceId: widget.workspaceId, sessionIds: [v.sessionId], userIds: [] }, cursor });
        pages.push(chunk.data as Record<string, any[]>);
        cursor = chunk.nextCursor ?? undefined;
      } while (cursor);
    } finally {
      await callers.close();
    }
    const mail = pages.flatMap((p) => p.mail ?? []);
    expect(mail).toEqual([expect.objectContaining({ kind: 'unread', conversationId: v.conversationId, to: v.email, status: 'sent', subject: expect.stringMatching(/^New reply from/) })]);
    expect(mail[0].text).toContain('Reply that goes by mail');
    expect(pages.flatMap((p) => p.email_tokens ?? []).map((t) => t.purpose).sort()).toEqual(['reply', 'unsubscribe']);

    const done = await eraseThroughApi(widget.admin, widget.workspaceId, { sessionId: v.sessionId }, 'integrations');
    expect(done.parts.integrations.erased).toMatchObject({ mail: 1, email_tokens: 2, email_bursts: 1 });
    expect((await db(held, [v.sessionId, v.conversationId]))[0]).toEqual({ mail: 0, tokens: 0, bursts: 0 });
  });

  it('members: the invitation by email (the token only in the link fragment), and a new conversation while nobody is present to those who asked', async () => {
    const team = await createTeamWorkspace(stack, widget.workspaceId);
    const owner = new OperatorApi(stack.baseUrl, team.owner.token);
    const invitedEmail = `invitee-${randomUUID().slice(0, 8)}@team.example.com`;
    const invited = await owner.post(`/workspaces/${widget.workspaceId}/members`, { email: invitedEmail, name: 'Ivy', role: 'agent' });
    expect(invited.status).toBe(201);
    const invitation = await smtp.next((m) => m.to.includes(invitedEmail));
    expect(invitation.parsed.subject).toMatch(/^You are invited to /);
    expect(invitation.parsed.text).toContain(`https://support.acme.test/inbox/#invite=${encodeURIComponent(invited.body.inviteToken)}`);

    const agent = new OperatorApi(stack.baseUrl, team.agent.token);
    const settings = await agent.put(`/workspaces/${widget.workspaceId}/notifications`, { newConversationEmail: true });
    expect(settings.status).toBe(200);
    expect(settings.body).toEqual({ workspaceId: widget.workspaceId, newConversationEmail: true });
    expectEnvelope(await widget.admin.put(`/workspaces/${widget.workspaceId}/notifications`, { newConversationEmail: true }), 403, 'forbidden', 'operator_required');
    expectEnvelope(await agent.put(`/workspaces/${widget.workspaceId}/notifications`, { newConversationEmail: 'yes' }), 400, 'validation_error');

    const v = await visitor('Is anybody there?');
    const notice = await smtp.next((m) => m.to.includes(team.agent.email) && m.parsed.subject?.startsWith('New conversation') === true);
    expect(notice.parsed.text).toContain('Is anybody there?');
    expect(smtp.to(team.owner.email).filter((m) => m.parsed.subject?.startsWith('New conversation'))).toEqual([]);
    expect(v.conversationId).toMatch(/^conv_/);
  });

  it('two replicas share the work: every burst is mailed exactly once', async () => {
    // The second replica listens for replies on a port of its own (both would in production, each in its pod).
    const second = await stack.spawn('integrations', { EMAIL_INBOUND_PORT: String(await freePort()) });
    try {
      const visitors = await Promise.all(Array.from({ length: 6 }, (_, i) => visitor(`Question ${i}`)));
      const last = await Promise.all(visitors.map((v, i) => agentSays(v.conversationId, `Answer ${i}`)));
      await Promise.all(visitors.map((v) => smtp.next((m) => m.to.includes(v.email))));
      await Promise.all(visitors.map((v, i) => burstClosed(v.conversationId, last[i])));
      for (const v of visitors) expect(smtp.to(v.email)).toHaveLength(1);
      const rows = await db<{ n: number }>(`SELECT count(*)::int AS n FROM integrations.mail_queue WHERE conversation_id = ANY($1::text[]) AND kind = 'unread' AND status = 'sent'`, [
        visitors.map((v) => v.conversationId),
      ]);
      expect(rows[0].n).toBe(visitors.length);
    } finally {
      await second.stop();
    }
  });

  it("SPEC §16: when a webhook's retries give up and it is disabled, the workspace's owners are told by email", async () => {
    const team = await createTeamWorkspace(stack);
    const owner = new OperatorApi(stack.baseUrl, team.owner.token);
    const deadPort = await freePort();
    const hook = await owner.post(`/workspaces/${team.workspaceId}/webhooks`, { url: `http://127.0.0.1:${deadPort}/hook`, events: ['message.created'] });
    expect(hook.status).toBe(201);
    expect((await owner.post(`/workspaces/${team.workspaceId}/webhooks/${hook.body.webhook.id}/test`)).status).toBe(202);
    const mail = await smtp.next((m) => m.to.includes(team.owner.email) && m.parsed.subject?.includes('webhook') === true);
    expect(mail.parsed.subject).toMatch(/^A webhook of team-.* was disabled$/);
    expect(mail.parsed.text).toContain(`http://127.0.0.1:${deadPort}/hook`);
    expect((await owner.get(`/workspaces/${team.workspaceId}/webhooks/${hook.body.webhook.id}`)).body).toMatchObject({ enabled: false, disabledReason: 'delivery_failed' });
    expect(smtp.to(team.agent.email).filter((m) => m.parsed.subject?.includes('webhook'))).toEqual([]);
  });
});
