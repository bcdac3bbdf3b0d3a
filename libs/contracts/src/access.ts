import { CannedReplyRpc } from './canned-replies';
import { ConversationEvents, ConversationRpc } from './conversation';
import { EventsRpc } from './events';
import { FormsEvents, FormsRpc } from './forms';
import { domainEventStream, IntegrationsRpc } from './integrations';
import { EmailRpc } from './email';
import { KnowledgeEvents, KnowledgeRpc } from './knowledge';
import { SessionEvents, SessionRpc } from './session';
import { TeamEvents, TeamRpc } from './team';
import { DomainEvent, HealthRpc, Rpc, ServiceName, SUBJECT_PREFIX } from './transport';

/**
 * The NATS trust boundary (docs/architecture.md, "NATS trust boundary"): who
 * may send, answer, publish and hear which subject. It is the one source of
 * truth: the nats-server users and permissions are generated from it
 * (`natsAuthorizationConfig` in @widget/common, `scripts/nats-config.js`), and
 * test/nats-access.spec.ts checks it against the code of every app, so a
 * subject used without a grant (or a grant nobody uses) fails a test.
 *
 * Everything is a function (nothing runs at import), so the browser bundles
 * that import the contracts do not carry it.
 */

/** Every process kind that connects to NATS with its own credentials. */
export const NATS_PRINCIPALS = ['gateway', 'realtime', 'session', 'conversation', 'knowledge', 'forms', 'events', 'team', 'integrations'] as const;
export type NatsPrincipal = (typeof NATS_PRINCIPALS)[number];

/** Any rpc or event: only its subject matters here. */
type AnyRpc = Pick<Rpc<unknown, unknown>, 'subject'>;
type AnyEvent = Pick<DomainEvent<unknown>, 'subject'>;

export interface NatsGrant {
  /** Request subjects it answers: a service answers every rpc of its own namespace (and its health ping). */
  serves: AnyRpc[];
  /** Request subjects it sends. */
  calls: AnyRpc[];
  /** Events it publishes. */
  publishes: AnyEvent[];
  /** Events it subscribes to. */
  hears: AnyEvent[];
  /**
   * Events it takes from the JetStream stream of domain events (`domainEventStream()`) through its durable
   * consumer: the stream's subjects are these, and the principal may manage that stream and consumer only.
   */
  consumes?: AnyEvent[];
}

const all = <T>(group: Record<string, T>): T[] => Object.values(group);
const pick = <G extends Record<string, unknown>, K extends keyof G>(group: G, keys: K[]): G[K][] => keys.map((k) => group[k]);
const omit = <G extends Record<string, unknown>, K extends keyof G>(group: G, keys: K[]): G[keyof G][] =>
  (Object.keys(group) as (keyof G)[]).filter((k) => !keys.includes(k as K)).map((k) => group[k]);
const served = (service: ServiceName, rpcs: Record<string, AnyRpc>): AnyRpc[] => [...all(rpcs), HealthRpc[service]];
/** A service's readiness pings itself through NATS (libs/common serviceChecks). */
const selfPing = (service: ServiceName): AnyRpc[] => [HealthRpc[service]];

/** The grants of every principal; subjects as this process's contracts build them (its NATS_SUBJECT_PREFIX). */
export function natsGrants(): Record<NatsPrincipal, NatsGrant> {
  return {
    gateway: {
      serves: [],
      // The edge: every rpc of the HTTP API, but not the ones only services call each other with.
      calls: [
        ...omit(SessionRpc, ['authenticateRealtime', 'getWorkspace', 'retentionPolicies']),
        ...omit(ConversationRpc, ['postBotMessage', 'replay', 'mergeSession', 'adminReplay', 'erasePerson', 'emailReply']),
        ...all(CannedReplyRpc),
        ...omit(KnowledgeRpc, ['answerRecord', 'erasePerson']),
        ...omit(FormsRpc, ['erasePerson']),
        ...omit(EventsRpc, ['erasePerson']),
        ...omit(TeamRpc, ['reportPresence', 'presentMembers', 'workspacePresent', 'notificationRecipients']),
        ...omit(IntegrationsRpc, ['erasePerson']),
        ...pick(EmailRpc, ['transcript', 'unsubscribe']),
        ...all(HealthRpc),
      ],
      publishes: [],
      hears: [...pick(SessionEvents, ['revoked', 'widgetUpdated']), ...all(TeamEvents)],
    },
    realtime: {
      serves: [],
      calls: [
        ...pick(SessionRpc, ['authenticateRealtime', 'widgetAccess']),
        ...pick(ConversationRpc, ['get', 'replay', 'adminReplay', 'adminTyping']),
        // Presence (SPEC §14): this replica's operator sockets, and what an operator sets on its socket.
        ...pick(TeamRpc, ['reportPresence', 'setPresence']),
      ],
      publishes: pick(ConversationEvents, ['visitorTyping']),
      hears: [...all(ConversationEvents), ...pick(SessionEvents, ['revoked', 'widgetUpdated']), ...all(TeamEvents)],
    },
    session: {
      serves: served('session', SessionRpc),
      // An erasure (SPEC §17) is driven from here: every other part is asked to erase until it has.
      // GET /config's availability (SPEC §15) asks whether anyone of the workspace is present.
      calls: [
        ...pick(TeamRpc, ['workspacePresent']),
        ...pick(ConversationRpc, ['mergeSession', 'erasePerson']),
        ...pick(KnowledgeRpc, ['erasePerson']),
        ...pick(FormsRpc, ['erasePerson']),
        ...pick(EventsRpc, ['erasePerson']),
        ...pick(IntegrationsRpc, ['erasePerson']),
        ...selfPing('session'),
      ],
      publishes: all(SessionEvents),
      hears: [],
    },
    conversation: {
      serves: [...served('conversation', ConversationRpc), ...all(CannedReplyRpc)],
      // An escalation note is made from the answer the knowledge service recorded, never from the client's words.
      // Routing asks who of a team is present (SPEC §14).
      // Retention (SPEC §17) asks the session service for the workspaces' settings.
      calls: [...pick(KnowledgeRpc, ['answerRecord']), ...pick(TeamRpc, ['presentMembers']), ...pick(SessionRpc, ['retentionPolicies']), ...selfPing('conversation')],
      publishes: omit(ConversationEvents, ['visitorTyping']),
      hears: [],
    },
    knowledge: {
      serves: served('knowledge', KnowledgeRpc),
      calls: [...pick(ConversationRpc, ['get', 'postBotMessage']), ...selfPing('knowledge')],
      publishes: all(KnowledgeEvents),
      hears: [],
    },
    forms: {
      serves: served('forms', FormsRpc),
      calls: [...pick(ConversationRpc, ['create']), ...selfPing('forms')],
      publishes: all(FormsEvents),
      hears: [],
    },
    team: {
      serves: served('team', TeamRpc),
      // An invitation names a workspace the session service must know; the integrations service mails it (issue 22).
      calls: [...pick(SessionRpc, ['getWorkspace']), ...pick(EmailRpc, ['invitation']), ...selfPing('team')],
      publishes: all(TeamEvents),
      hears: [],
    },
    events: {
      serves: served('events', EventsRpc),
      calls: [...pick(SessionRpc, ['retentionPolicies']), ...selfPing('events')],
      publishes: [],
      hears: [],
      // Lifecycle facts (issue 26): from JetStream through its own durable consumer, so an outage loses none.
      consumes: [
        ...pick(SessionEvents, ['started', 'identified']),
        ...pick(ConversationEvents, ['conversationCreated', 'messageCreated']),
        ...all(FormsEvents),
        ...all(KnowledgeEvents),
      ],
    },
    // Webhooks and email (issue 22): the domain events come from JetStream, never a plain subscription.
    integrations: {
      serves: [...served('integrations', IntegrationsRpc), ...all(EmailRpc)],
      // visitor.identified carries the operator API's view of the visitor.
      // Email (issue 22): the visitor's address, the thread and its read state, the widget's email settings, who is
      // present and who asked to hear of a new conversation; a reply by email posted as a visitor message.
      calls: [
        ...pick(SessionRpc, ['adminVisitor', 'getWorkspace', 'getWidget']),
        ...pick(ConversationRpc, ['get', 'adminGet', 'adminListMessages', 'emailReply']),
        ...pick(TeamRpc, ['workspacePresent', 'notificationRecipients', 'listMembers']),
        ...selfPing('integrations'),
      ],
      publishes: [],
      hears: [],
      consumes: [
        ...pick(ConversationEvents, ['conversationCreated', 'conversationUpdated', 'messageCreated']),
        ...pick(FormsEvents, ['submitted']),
        ...pick(SessionEvents, ['identified']),
      ],
    },
  };
}

/** The durable consumer of the domain-event stream a consuming principal pulls from: its own name. */
export function domainEventConsumer(principal: NatsPrincipal): string {
  return principal;
}

/** The subjects the domain-event stream keeps: every event some principal consumes. */
export function domainEventSubjects(): string[] {
  const grants = natsGrants();
  return [...new Set(NATS_PRINCIPALS.flatMap((p) => (grants[p].consumes ?? []).map((e) => e.subject)))];
}

/**
 * JetStream API subjects of a consuming principal, and nothing wider: look up, create and update the stream,
 * look up and create its own durable consumer (named after it), pull from it and acknowledge (docs/architecture.md).
 *
 * A principal that answers requests acknowledges as a response instead (`respond`): nats-server records the reply
 * subject of every message it delivers to a user with `allow_responses`, a JetStream delivery's ack subject
 * included, and forgets a record only once it was answered through that permission or after two minutes. An ack
 * the allow-list lets through is never counted as the answer, so the records piled up by the event rate times two
 * minutes, and past 4,096 of them nats-server scanned them all on every delivery: its CPU per event grew from
 * 0.06 to 0.35 ms over 40,000 events (docs/benchmarks.md). Each delivery is answered once (an ack or a nak), on the
 * connection it came on; one pulled before a reconnect is delivered again after EVENT_ACK_WAIT_MS, and both
 * consumers are idempotent.
 */
function jetStreamSubjects(principal: NatsPrincipal, prefix: string, respond: boolean): string[] {
  const stream = domainEventStream(prefix);
  const consumer = `${stream}.${domainEventConsumer(principal)}`;
  return [
    ...['INFO', 'CREATE', 'UPDATE'].map((op) => `$JS.API.STREAM.${op}.${stream}`),
    `$JS.API.CONSUMER.INFO.${consumer}`,
    `$JS.API.CONSUMER.CREATE.${consumer}`,
    `$JS.API.CONSUMER.CREATE.${consumer}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${consumer}`,
    `$JS.API.CONSUMER.MSG.NEXT.${consumer}`,
    ...(respond ? [] : [`$JS.ACK.${consumer}.>`]),
  ];
}

/** What nats-server is told for one principal: subjects for a given NATS_SUBJECT_PREFIX. */
export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** It answers requests: may publish to the reply subject of a request it received (and only once). */
  respond: boolean;
}

/** Moves a subject of this process's namespace into another one. */
const reprefix = (subject: string, prefix: string) => `${prefix}${subject.slice(SUBJECT_PREFIX.length)}`;

/**
 * The reply inbox of a principal: nats.js subscribes `<inbox>.>` for the
 * replies to its requests (`inboxPrefix`), and only that principal may.
 * With the default `_INBOX.>` any client could read every reply.
 */
export function natsInboxPrefix(principal: NatsPrincipal, prefix: string = SUBJECT_PREFIX): string {
  return `_INBOX.${prefix}${principal}`;
}

/** The NATS user name of a principal in a namespace: `gateway`, or `staging-gateway` for NATS_SUBJECT_PREFIX=staging. */
export function natsUserName(principal: NatsPrincipal, prefix: string = SUBJECT_PREFIX): string {
  const namespace = prefix.replace(/\.$/, '').replace(/\./g, '-');
  return namespace ? `${namespace}-${principal}` : principal;
}

export function natsPermissions(principal: NatsPrincipal, prefix: string = SUBJECT_PREFIX): NatsPermissions {
  const grant = natsGrants()[principal];
  const subjects = (list: { subject: string }[]) => [...new Set(list.map((s) => reprefix(s.subject, prefix)))];
  const subscribe = subjects([...grant.serves, ...grant.hears]);
  if (grant.calls.length > 0) subscribe.push(`${natsInboxPrefix(principal, prefix)}.>`);
  const publish = subjects([...grant.calls, ...grant.publishes]);
  const respond = grant.serves.length > 0;
  if ((grant.consumes ?? []).length > 0) publish.push(...jetStreamSubjects(principal, prefix, respond));
  return { publish, subscribe, respond };
}
