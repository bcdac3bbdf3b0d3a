import type { Role } from '@widget/contracts';
import { useState } from 'preact/hooks';
import type { TeamApi } from '../team/team-api';
import { ApiKeysPage } from './api-keys';
import { AvailabilityPage } from './availability';
import { CannedPage } from './canned';
import { MembersPage } from './members';
import { WebhooksPage } from './webhooks';

type Page = 'members' | 'keys' | 'canned' | 'availability' | 'webhooks';
const PAGES: { id: Page; label: string }[] = [
  { id: 'members', label: 'Members' },
  { id: 'keys', label: 'API keys' },
  { id: 'canned', label: 'Canned replies' },
  { id: 'availability', label: 'Availability' },
  { id: 'webhooks', label: 'Webhooks' },
];

/** Whether a role sees the settings (issue 21: owners and admins; the server refuses agents anyway). */
export const canManage = (role: Role | undefined): role is 'owner' | 'admin' => role === 'owner' || role === 'admin';

/** The workspace's settings for owners and admins: one page at a time. */
export function Settings({ team, myRole, meId }: { team: TeamApi; myRole: 'owner' | 'admin'; meId: string }) {
  const [page, setPage] = useState<Page>('members');
  return (
    <main class="settings" aria-label="Settings">
      <nav class="settings-nav" aria-label="Settings pages">
        {PAGES.map((p) => (
          <button type="button" key={p.id} aria-current={page === p.id ? 'page' : undefined} onClick={() => setPage(p.id)}>
            {p.label}
          </button>
        ))}
      </nav>
      <div class="settings-page">
        {page === 'members' && <MembersPage team={team} myRole={myRole} meId={meId} />}
        {page === 'keys' && <ApiKeysPage team={team} />}
        {page === 'canned' && <CannedPage team={team} />}
        {page === 'availability' && <AvailabilityPage team={team} />}
        {page === 'webhooks' && <WebhooksPage team={team} />}
      </div>
    </main>
  );
}
