import { Injectable } from '@nestjs/common';
import { Outbox, OutboxEvent, Queryable } from '@widget/common';
import { OutboxRepository, OutboxRow } from '../persistence/outbox.repository';
import { OutboxRelay } from './outbox-relay';

/** The conversation service's outbox as its UnitOfWork writes and publishes it: the outbox table, then the relay. */
@Injectable()
export class ConversationOutbox extends Outbox {
  constructor(
    private readonly rows: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {
    super();
  }

  insert(rows: OutboxEvent[], tx: Queryable): Promise<void> {
    return this.rows.insert(rows as OutboxRow[], tx);
  }

  publishCommitted(rows: OutboxEvent[]): void {
    this.relay.publishCommitted(rows as OutboxRow[]);
  }
}
