import { Injectable } from '@nestjs/common';
import { AppError, checkErasure, checkPersonKeys, ErasureLedger, EXPORT_PAGE_ROWS, exportPage } from '@widget/common';
import type { ErasePersonReply, ErasePersonRequest, ExportChunk, ExportPersonRequest } from '@widget/contracts';
import { EventPosition, EventsPrivacyRepository } from '../persistence/privacy.repository';
import { LifecycleConsumer } from './lifecycle-consumer';

/** A position's instant: UTC to the microsecond, as the repository writes it. */
const MICROSECOND_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Export cursors are opaque: base64url of the last row's position, checked on the way back in. */
const encodeCursor = (p: EventPosition) => Buffer.from(JSON.stringify([p.at, p.eventId, p.key]), 'utf8').toString('base64url');

function decodeCursor(cursor: string): EventPosition {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (Array.isArray(parts) && parts.length === 3 && parts.every((p) => typeof p === 'string') && MICROSECOND_ISO.test(parts[0])) {
    return { at: parts[0], eventId: parts[1], key: parts[2] };
  }
  throw new AppError('validation_error', 'The cursor is not valid.', { reason: 'invalid_cursor', details: [{ field: 'cursor', reason: 'is not a cursor of this export' }] });
}

/**
 * The events service's part of erasing and exporting a person (SPEC §17):
 * their analytics events, client-sent and lifecycle facts alike, and the
 * de-duplication ledger's rows of their ids (docs/forms-events.md,
 * "Personal data"). Counts are computed from the rows at query time, so no
 * derived row holds anything of the person.
 */
@Injectable()
export class EventsPrivacyService {
  constructor(
    private readonly ledger: ErasureLedger,
    private readonly repo: EventsPrivacyRepository,
    private readonly lifecycle: LifecycleConsumer,
  ) {}

  /**
   * Once per erasure: a repeat answers the counts recorded the first time.
   * The lifecycle batch this replica is writing is waited for first, so none
   * of its facts of the person lands after the erasure.
   */
  async erase(req: ErasePersonRequest): Promise<ErasePersonReply> {
    const { erasureId, person } = checkErasure(req);
    await this.lifecycle.settled();
    return this.ledger.run(erasureId, person.workspaceId, (m) => this.repo.erase(m, person));
  }

  /** Pages of at most EXPORT_PAGE_ROWS events, oldest first. */
  async export({ person: keys, cursor }: ExportPersonRequest): Promise<ExportChunk> {
    const person = checkPersonKeys(keys);
    const rows = await this.repo.export(person, cursor ? decodeCursor(cursor) : null, EXPORT_PAGE_ROWS + 1);
    return exportPage('events', rows, EXPORT_PAGE_ROWS, (r) => encodeCursor(r.position), (r) => r.event);
  }
}
