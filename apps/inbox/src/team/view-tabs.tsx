import type { ConversationCounts, ConversationView } from '@widget/contracts';

const LABEL: Record<ConversationView, string> = { mine: 'Mine', unassigned: 'Unassigned', all: 'All' };
const ORDER: ConversationView[] = ['mine', 'unassigned', 'all'];

/** "Mine", "Unassigned", "All" with the server's counts. */
export function ViewTabs({ view, counts, onView }: { view: ConversationView; counts: ConversationCounts | null; onView: (view: ConversationView) => void }) {
  return (
    <div class="views" role="group" aria-label="Views">
      {ORDER.map((v) => (
        <button type="button" key={v} id={`view-${v}`} aria-pressed={view === v} onClick={() => onView(v)}>
          {LABEL[v]} <span class="count">{counts ? counts[v] : '…'}</span>
        </button>
      ))}
    </div>
  );
}
