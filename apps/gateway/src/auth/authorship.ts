import { AppError } from '@widget/common';
import { Caller } from '@widget/contracts';

export interface AuthorRef {
  id: string;
  name: string | null;
}

/**
 * SPEC §14, authorship: an operator posts (and types) as their account, so a
 * body `author` is refused; the root key and workspace API keys speak for
 * integrations and bots, so they must name one.
 */
export function authorOf(caller: Caller | undefined, body: { id: string; name?: string | null } | undefined): AuthorRef {
  if (caller?.kind === 'operator') {
    if (body) {
      throw new AppError('validation_error', 'An operator posts as their own account: send no author.', {
        reason: 'invalid_fields',
        details: [{ field: 'author', reason: 'not allowed with an operator token (the account is the author)' }],
      });
    }
    return { id: caller.id, name: caller.name };
  }
  if (!body) {
    throw new AppError('validation_error', 'Name the author: the root key and API keys speak for an integration.', {
      reason: 'invalid_fields',
      details: [{ field: 'author', reason: 'Required' }],
    });
  }
  return { id: body.id, name: body.name ?? null };
}
