import type { Conversation, OperatorConversation } from '@widget/contracts';
import { Said } from './text';

/**
 * Only a user id proved by the site's signed token is a fact here. The rest was sent by the
 * visitor's browser (an anonymous profile, an identify without a token, PATCH /sessions/current,
 * which also changes a verified user's name and email, and the conversation's subject, tags,
 * custom fields and metadata): each is marked, and shown isolated (Said).
 */
export function Details({ detail, conversation }: { detail: OperatorConversation; conversation: Conversation }) {
  const v = detail.visitor;
  const verified = v.user?.verified === true;
  const who = v.user ?? v.profile;
  const company = v.user?.company ?? v.profile?.company ?? null;
  const identity = !v.user ? 'anonymous' : verified ? 'verified' : 'unverified';
  const claimed = (value: string | null | undefined): Row | null => (value ? { value, trust: 'unverified' } : null);
  const profile: Array<[string, Row | null]> = [
    ['Identity', { value: IDENTITY_LABEL[identity], trust: 'identity' }],
    ['Name', claimed(who?.name)],
    ['Email', claimed(who?.email)],
    ['User id', v.user ? { value: v.user.externalId, trust: verified ? 'verified' : 'unverified' } : null],
    ['Company', claimed(company ? [company.name ?? company.id ?? v.user?.companyId, company.plan && `plan ${company.plan}`].filter(Boolean).join(', ') : v.user?.companyId)],
    ['Locale', claimed(v.locale)],
    ['Session since', { value: new Date(v.since).toLocaleString(), trust: 'server' }],
    ['Session', { value: v.sessionId, trust: 'server' }],
    ['Widget', { value: v.widgetId, trust: 'server' }],
  ];
  const traits = who?.traits ?? {};
  return (
    <>
      <section aria-labelledby="visitor-h">
        <h2 id="visitor-h">Visitor</h2>
        <dl>
          {profile.map(([label, row]) =>
            row ? (
              <div key={label}>
                <dt>{label}</dt>
                <dd>
                  {row.trust === 'identity' ? (
                    <span class={`identity identity-${identity}`}>{row.value}</span>
                  ) : row.trust === 'server' ? (
                    row.value
                  ) : (
                    <>
                      <Said text={row.value} /> <TrustMark trust={row.trust} />
                    </>
                  )}
                </dd>
              </div>
            ) : null,
          )}
        </dl>
      </section>
      <section aria-labelledby="tags-h">
        <h2 id="tags-h">
          Tags <VisitorSet />
        </h2>
        {conversation.tags.length === 0 ? (
          <p class="empty">None</p>
        ) : (
          <ul class="tags">
            {conversation.tags.map((t) => (
              <li key={t} dir="auto">
                {t}
              </li>
            ))}
          </ul>
        )}
      </section>
      {Object.keys(traits).length > 0 && <KeyValues title="Traits" id="traits-h" values={traits} />}
      <KeyValues title="Custom fields" id="fields-h" values={conversation.customFields} />
      <KeyValues title="Metadata" id="meta-h" values={conversation.metadata} />
    </>
  );
}

const IDENTITY_LABEL = { anonymous: 'anonymous', verified: 'verified by your site', unverified: 'unverified claim' } as const;

interface Row {
  value: string;
  /** identity: the verdict itself; server: what the server recorded; the rest, what the site's token proved or not. */
  trust: 'identity' | 'server' | 'verified' | 'unverified';
}

function TrustMark({ trust }: { trust: 'verified' | 'unverified' }) {
  return trust === 'verified' ? (
    <span class="mark mark-verified" title="Proved by the identity token your site signed">
      verified
    </span>
  ) : (
    <span class="mark mark-unverified" title="Sent by the visitor's browser; nobody checked it">
      unverified
    </span>
  );
}

/** Everything under such a heading came from the visitor's widget (operators set no tags, fields or metadata). */
function VisitorSet() {
  return (
    <span class="mark mark-unverified" title="Set by the visitor's widget, not by your team; nobody checked it">
      visitor-set
    </span>
  );
}

function KeyValues({ title, id, values }: { title: string; id: string; values: Record<string, unknown> }) {
  const entries = Object.entries(values ?? {});
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title} <VisitorSet />
      </h2>
      {entries.length === 0 ? (
        <p class="empty">None</p>
      ) : (
        <dl>
          {entries.map(([k, value]) => (
            <div key={k}>
              <dt>
                <Said text={k} />
              </dt>
              <dd>
                <Said text={typeof value === 'string' ? value : JSON.stringify(value)} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
