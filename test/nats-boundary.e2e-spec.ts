import {
  ConversationEvents,
  ConversationRpc,
  domainEventStream,
  natsInboxPrefix,
  NatsPrincipal,
  natsUserName,
  SessionEvents,
  SessionRpc,
} from '@widget/contracts';
import { createTestWidget, natsPasswordVariable, startAnonymous, testStack } from '@widget/testing';
import { connect, ConnectionOptions, JSONCodec, NatsConnection, NatsError } from 'nats';

/**
 * The NATS trust boundary on the stack's own nats-server, configured from
 * libs/contracts/src/access.ts: no credentials, no connection; each process
 * kind's user may do only what its grant says.
 */
const stack = testStack();
const codec = JSONCodec();
const packet = (subject: string, data: unknown) => codec.encode({ pattern: subject, data, id: 'boundary-test' });

/** nats.js options of one principal's user, with its own reply inbox, as the apps connect. */
const as = (principal: NatsPrincipal, extra: Partial<ConnectionOptions> = {}): ConnectionOptions => ({
  servers: stack.env.NATS_URL,
  user: natsUserName(principal),
  pass: stack.env[natsPasswordVariable(principal)],
  inboxPrefix: natsInboxPrefix(principal),
  reconnect: false,
  ...extra,
});

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'no error';
  } catch (err) {
    return (err as NatsError).code;
  }
};

/** Resolves with the server's refusal of a subscription (nats.js hands it to the subscription's callback). */
function refusedSubscription(nc: NatsConnection, subject: string): Promise<string> {
  return new Promise((resolve, reject) => {
    nc.subscribe(subject, { callback: (err) => (err ? resolve(err.code) : reject(new Error(`a message on ${subject} was delivered`))) });
  });
}

/** Resolves with the server's refusal of a publish (reported on the connection's status). */
async function refusedPublish(nc: NatsConnection, subject: string, data: unknown): Promise<string> {
  const statuses = nc.status();
  nc.publish(subject, packet(subject, data));
  for await (const status of statuses) {
    const context = (status as { permissionContext?: { operation: string; subject: string } }).permissionContext;
    if (status.type === 'error' && context?.operation === 'publish' && context.subject === subject) return String(status.data);
  }
  throw new Error('connection closed before the refusal');
}

describe('NATS trust boundary (generated nats-server users and permissions)', () => {
  const open: NatsConnection[] = [];
  const connectAs = async (options: ConnectionOptions) => {
    const nc = await connect(options);
    open.push(nc);
    return nc;
  };
  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  });

  it('refuses a connection without credentials, with a wrong password, or with another user’s password', async () => {
    expect(await codeOf(connect({ servers: stack.env.NATS_URL, reconnect: false }))).toBe('AUTHORIZATION_VIOLATION');
    expect(await codeOf(connect(as('events', { pass: 'not-the-password-of-events' })))).toBe('AUTHORIZATION_VIOLATION');
    expect(await codeOf(connect(as('events', { pass: stack.env[natsPasswordVariable('gateway')] })))).toBe('AUTHORIZATION_VIOLATION');
  });

  it('the events service’s user cannot call another service’s rpc nor read conversation events', async () => {
    const nc = await connectAs(as('events'));
    // session.authenticate: turning a stolen token into a session context.
    expect(await codeOf(nc.request(SessionRpc.authenticate.subject, packet(SessionRpc.authenticate.subject, { token: 'wst_x' }), { timeout: 5000 }))).toBe(
      'PERMISSIONS_VIOLATION',
    );
    expect(await codeOf(nc.request(ConversationRpc.adminList.subject, packet(ConversationRpc.adminList.subject, { workspaceId: 'ws_x', limit: 1 }), { timeout: 5000 }))).toBe(
      'PERMISSIONS_VIOLATION',
    );
    // Its lifecycle facts come from its own JetStream consumer: not even message.created by a plain subscription,
    // nor typing, read state, the whole tree; nor may it pull from the integrations service's consumer.
    expect(await refusedSubscription(nc, ConversationEvents.messageCreated.subject)).toBe('PERMISSIONS_VIOLATION');
    expect(await refusedSubscription(nc, ConversationEvents.typingStart.subject)).toBe('PERMISSIONS_VIOLATION');
    expect(await refusedPublish(nc, `$JS.API.CONSUMER.MSG.NEXT.${domainEventStream()}.integrations`, { batch: 1 })).toBe('PERMISSIONS_VIOLATION');
    // It acknowledges only what was delivered to it, as the answer to that delivery: not any ack subject of its consumer.
    expect(await refusedPublish(nc, `$JS.ACK.${domainEventStream()}.events.1.1.1.1700000000000000000.0`, '+ACK')).toBe('PERMISSIONS_VIOLATION');
    expect(await refusedSubscription(nc, ConversationEvents.messageCreated.subject.replace(/message\.created$/, '>'))).toBe('PERMISSIONS_VIOLATION');
    // Nobody reads the replies of others: neither every inbox nor the gateway's.
    expect(await refusedSubscription(nc, '_INBOX.>')).toBe('PERMISSIONS_VIOLATION');
    expect(await refusedSubscription(nc, `${natsInboxPrefix('gateway')}.>`)).toBe('PERMISSIONS_VIOLATION');
    // Nor forge another service's event (a revocation) or answer another service's requests.
    expect(await refusedPublish(nc, SessionEvents.revoked.subject, { sessionId: 'ses_x', tokenHash: 'x', reason: 'shutdown' })).toBe('PERMISSIONS_VIOLATION');
    expect(await refusedSubscription(nc, SessionRpc.authenticate.subject)).toBe('PERMISSIONS_VIOLATION');
  });

  it('the gateway’s user calls the services but cannot impersonate one, nor publish events', async () => {
    const nc = await connectAs(as('gateway'));
    // Allowed: session.authenticate answers (here: the token is not valid).
    const reply = await nc.request(SessionRpc.authenticate.subject, packet(SessionRpc.authenticate.subject, { token: 'wst_not-a-token' }), { timeout: 5000 });
    expect(codec.decode(reply.data)).toMatchObject({ err: { code: 'invalid_token' } });
    // Refused: answering session.authenticate itself, calling an rpc only services use, forging an event.
    expect(await refusedSubscription(nc, SessionRpc.authenticate.subject)).toBe('PERMISSIONS_VIOLATION');
    expect(await codeOf(nc.request(SessionRpc.authenticateRealtime.subject, packet(SessionRpc.authenticateRealtime.subject, { token: 'x' }), { timeout: 5000 }))).toBe(
      'PERMISSIONS_VIOLATION',
    );
    expect(await refusedPublish(nc, ConversationEvents.messageCreated.subject, {})).toBe('PERMISSIONS_VIOLATION');
  });

  it('a request whose replies would come to the shared _INBOX is refused: each user has its own inbox', async () => {
    const nc = await connectAs(as('gateway', { inboxPrefix: undefined }));
    expect(await codeOf(nc.request(SessionRpc.authenticate.subject, packet(SessionRpc.authenticate.subject, { token: 'wst_x' }), { timeout: 5000 }))).toBe(
      'PERMISSIONS_VIOLATION',
    );
  });

  it('the realtime user hears conversation events; the normal flow goes through', async () => {
    const nc = await connectAs(as('realtime'));
    // The shared stack carries other specs' traffic too: wait for this session's event among them.
    let sessionId = '';
    const heard = new Promise<unknown>((resolve, reject) => {
      nc.subscribe(ConversationEvents.messageCreated.subject, {
        callback: (err, msg) => {
          if (err) return reject(err);
          const event = (codec.decode(msg.data) as { data: { audience?: { sessionId?: string } } }).data;
          if (sessionId && event.audience?.sessionId === sessionId) resolve(event);
        },
      });
    });
    await nc.flush();
    const widget = await createTestWidget(stack);
    const me = await startAnonymous(widget);
    sessionId = me.sessionId;
    const conv = await widget.api.post('/conversations', { message: 'through the boundary', clientMessageId: 'boundary-1' }, { token: me.token });
    expect(conv.status).toBe(201);
    expect(await heard).toMatchObject({ type: 'message.created', audience: { sessionId: me.sessionId } });
  });
});
