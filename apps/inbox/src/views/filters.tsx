import { STATUS_FILTERS, StatusFilter } from '../state';

const FILTER_LABEL: Record<StatusFilter, string> = { all: 'All', open: 'Open', pending: 'Pending', resolved: 'Resolved' };

/** The status filter above the list (Esc in the reply box comes back here when nothing is open). */
export function Filters({ filter, onFilter }: { filter: StatusFilter; onFilter: (filter: StatusFilter) => void }) {
  return (
    <div class="filters" role="group" aria-label="Filter by status" id="filters" tabIndex={-1}>
      {STATUS_FILTERS.map((f) => (
        <button type="button" key={f} aria-pressed={filter === f} onClick={() => onFilter(f)}>
          {FILTER_LABEL[f]}
        </button>
      ))}
    </div>
  );
}
