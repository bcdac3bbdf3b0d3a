import type { ErasePersonRequest, ExportChunk, PersonKeys } from '@widget/contracts';
import { Errors } from '../errors';

/** Rows of one table in one page of a person's export (SPEC §17): large exports stream page by page. */
export const EXPORT_PAGE_ROWS = 1000;
/** Keys of one person at most: more sessions than this are not one visitor's. */
const MAX_PERSON_KEYS = 10_000;

const isIdList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length <= MAX_PERSON_KEYS && v.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 100);

/**
 * The person of an erasure or export request as a service receives it over
 * NATS: checked before any SQL, so a malformed request is a validation_error
 * and never reaches the database as an odd parameter.
 */
export function checkPersonKeys(person: unknown): PersonKeys {
  const p = person as Partial<PersonKeys> | null;
  if (!p || typeof p.workspaceId !== 'string' || p.workspaceId.length === 0 || !isIdList(p.sessionIds) || !isIdList(p.userIds)) {
    throw Errors.validation([{ field: 'person', reason: 'must be { workspaceId, sessionIds: [], userIds: [] }' }]);
  }
  return { workspaceId: p.workspaceId, sessionIds: p.sessionIds, userIds: p.userIds };
}

/** An erasure request's id and person, checked (see checkPersonKeys). */
export function checkErasure(req: Partial<ErasePersonRequest>): ErasePersonRequest {
  const { erasureId } = req;
  if (typeof erasureId !== 'string' || erasureId.length === 0 || erasureId.length > 100) throw Errors.validation([{ field: 'erasureId', reason: 'is required' }]);
  return { erasureId, person: checkPersonKeys(req.person) };
}

/**
 * One page of a service's part of an export from `rows`, read in cursor order
 * with one row more than `limit` (`LIMIT limit + 1`): that extra row only
 * says that another page follows, whose cursor is the last kept row's.
 * `view` turns a row into what the export shows (the row itself by default).
 */
export function exportPage<T>(table: string, rows: T[], limit: number, cursorOf: (row: T) => string, view: (row: T) => unknown = (row) => row): ExportChunk {
  const page = rows.slice(0, limit);
  return { data: { [table]: page.map(view) }, nextCursor: rows.length > limit ? cursorOf(page[page.length - 1]) : null };
}
