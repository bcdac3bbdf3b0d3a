import * as contracts from '@widget/contracts';
import { domainEventSubjects, HealthRpc, NATS_PRINCIPALS, natsGrants, NatsPrincipal, natsPermissions, SERVICE_NAMES, ServiceName } from '@widget/contracts';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The grants of libs/contracts/src/access.ts against the code: what each app
 * sends, emits, answers and listens to must be exactly what its NATS user may
 * do. A new call, event or handler without a grant (which nats-server would
 * refuse at run time), or a grant nobody uses, fails here.
 */
const ROOT = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

const group = (name: string): Record<string, { subject: string }> => {
  const value = (contracts as unknown as Record<string, Record<string, { subject: string }>>)[name];
  if (!value) throw new Error(`no contract group ${name}`);
  return value;
};
const subjectOf = (groupName: string, key: string): string => {
  const route = group(groupName)[key];
  if (!route) throw new Error(`${groupName}.${key} is not in the contracts`);
  return route.subject;
};
const matches = (code: string, pattern: RegExp) => [...code.matchAll(pattern)].map((m) => subjectOf(m[1], m[2]));

interface Used {
  serves: Set<string>;
  calls: Set<string>;
  publishes: Set<string>;
  hears: Set<string>;
  consumes: Set<string>;
}

function usedBy(principal: NatsPrincipal): Used {
  const code = sources(join(ROOT, 'apps', principal, 'src'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const used: Used = {
    serves: new Set(matches(code, /@Handles\(\s*(\w+Rpc)\.(\w+)\b/g)),
    calls: new Set(matches(code, /\.send\(\s*(\w+Rpc)\.(\w+)\b/g)),
    publishes: new Set(matches(code, /\.emit\(\s*(\w+Events)\.(\w+)\b/g)),
    hears: new Set(matches(code, /@OnEvent\(\s*(\w+Events)\.(\w+)\b/g)),
    // Taken from the JetStream stream through the principal's durable consumer (apps/integrations, apps/events).
    consumes: new Set(matches(code, /@OnDomainEvent\(\s*(\w+Events)\.(\w+)\s*[,)]/g)),
  };
  // Tables of subjects sent in a loop: the audit trail's `SOURCES = [TeamRpc.auditLog, …]`, the privacy
  // parts (`REMOTE_PARTS = { conversation: ConversationRpc.erasePerson, … }`, `EXPORT_PARTS = [['session', SessionRpc.exportPerson], …]`).
  for (const list of code.matchAll(/\b(?:SOURCES|\w+_PARTS)\b[^=]*=\s*([[{][\s\S]*?[\]}]);/g)) {
    for (const m of list[1].matchAll(/(\w+Rpc)\.(\w+)\b/g)) used.calls.add(subjectOf(m[1], m[2]));
  }
  // The gateway's readiness pings every service.
  if (/\.send\(\s*HealthRpc\[name\]/.test(code)) Object.values(HealthRpc).forEach((rpc) => used.calls.add(rpc.subject));
  if ((SERVICE_NAMES as string[]).includes(principal)) {
    // libs/common: every service answers its own ping, and its readiness sends it.
    used.serves.add(HealthRpc[principal as ServiceName].subject);
    used.calls.add(HealthRpc[principal as ServiceName].subject);
  }
  // The conversation outbox publishes the events its rows name: visitorEvent(tx, 'messageCreated', …) (the unit of work first).
  for (const m of code.matchAll(/visitorEvent\((?:[\w.]+,\s*)?([^,]+),/g)) {
    for (const name of m[1].matchAll(/'(\w+)'/g)) used.publishes.add(subjectOf('ConversationEvents', name[1]));
  }
  return used;
}

const sorted = (list: Iterable<{ subject: string } | string>) => [...new Set([...list].map((s) => (typeof s === 'string' ? s : s.subject)))].sort();

describe('NATS grants (libs/contracts/src/access.ts) match the code', () => {
  const grants = natsGrants();

  it.each(NATS_PRINCIPALS)('%s: sends, emits, answers and hears exactly what it is granted', (principal) => {
    const used = usedBy(principal);
    const grant = grants[principal];
    expect({
      serves: sorted(used.serves),
      calls: sorted(used.calls),
      publishes: sorted(used.publishes),
      hears: sorted(used.hears),
      consumes: sorted(used.consumes),
    }).toEqual({
      serves: sorted(grant.serves),
      calls: sorted(grant.calls),
      publishes: sorted(grant.publishes),
      hears: sorted(grant.hears),
      consumes: sorted(grant.consumes ?? []),
    });
  });

  it('every rpc of the contracts is answered by exactly one service, every event published by exactly one principal', () => {
    const rpcs = Object.entries(contracts)
      .filter(([name]) => /Rpc$/.test(name))
      .flatMap(([, routes]) => Object.values(routes as Record<string, { subject: string }>).map((r) => r.subject));
    const events = Object.entries(contracts)
      .filter(([name]) => /Events$/.test(name))
      .flatMap(([, routes]) => Object.values(routes as Record<string, { subject: string }>).map((r) => r.subject));
    const servedBy = NATS_PRINCIPALS.flatMap((p) => grants[p].serves.map((r) => r.subject));
    const publishedBy = NATS_PRINCIPALS.flatMap((p) => grants[p].publishes.map((e) => e.subject));
    expect(servedBy.sort()).toEqual([...rpcs].sort());
    expect(publishedBy.sort()).toEqual([...events].sort());
  });

  it('permissions honour the namespace; reply inboxes are per principal; only answering principals may respond', () => {
    const staging = natsPermissions('events', 'staging.');
    expect(staging.subscribe).toContain('staging.rpc.events.ingest');
    // Its lifecycle facts come from JetStream (below), never a plain subscription that an outage would lose.
    expect(staging.subscribe).not.toContain('staging.evt.session.started');
    expect(staging.subscribe.every((s) => s.startsWith('staging.') || s === '_INBOX.staging.events.>')).toBe(true);
    // Its only request besides its own ping: the workspaces' retention settings (SPEC §17).
    expect(staging.publish.filter((s) => !s.startsWith('$JS.')).sort()).toEqual(['staging.rpc.events.health', 'staging.rpc.session.privacy.retention-policies']);
    expect(staging.respond).toBe(true);
    const gateway = natsPermissions('gateway', 'staging.');
    expect(gateway.subscribe).toContain('_INBOX.staging.gateway.>');
    expect(gateway.subscribe).not.toContain('_INBOX.>');
    expect(gateway.respond).toBe(false);
    for (const principal of NATS_PRINCIPALS) {
      const { publish, subscribe } = natsPermissions(principal, '');
      // JetStream only for the consumers of the domain events, and only the stream and their own consumer (below).
      const others = (grants[principal].consumes ?? []).length > 0 ? publish.filter((s) => !s.startsWith('$JS.')) : publish;
      for (const subject of [...others, ...subscribe]) expect(subject).not.toMatch(/^(\$JS|\$SYS|>|_INBOX\.>)/);
    }
  });

  it.each(['integrations', 'events'] as const)('%s, a consumer of the domain events, may use the stream and its own durable consumer in its namespace, nothing wider', (principal) => {
    const { publish, respond } = natsPermissions(principal, 'staging.');
    // It answers requests, so it acknowledges a delivery as the response to it (allow_responses), never by a
    // grant on $JS.ACK: nats-server would keep a record of every delivery for two minutes (access.ts).
    expect(respond).toBe(true);
    const jetStream = publish.filter((s) => s.startsWith('$JS.'));
    expect(jetStream.sort()).toEqual(
      [
        '$JS.API.STREAM.INFO.staging-domain-events',
        '$JS.API.STREAM.CREATE.staging-domain-events',
        '$JS.API.STREAM.UPDATE.staging-domain-events',
        `$JS.API.CONSUMER.INFO.staging-domain-events.${principal}`,
        `$JS.API.CONSUMER.CREATE.staging-domain-events.${principal}`,
        `$JS.API.CONSUMER.CREATE.staging-domain-events.${principal}.>`,
        `$JS.API.CONSUMER.DURABLE.CREATE.staging-domain-events.${principal}`,
        `$JS.API.CONSUMER.MSG.NEXT.staging-domain-events.${principal}`,
      ].sort(),
    );
  });

  it('the stream keeps exactly the events consumed; only the integrations and events services consume', () => {
    expect(domainEventSubjects().sort()).toEqual(sorted([...(grants.integrations.consumes ?? []), ...(grants.events.consumes ?? [])]));
    for (const principal of NATS_PRINCIPALS.filter((p) => p !== 'integrations' && p !== 'events')) expect(grants[principal].consumes ?? []).toEqual([]);
  });
});
