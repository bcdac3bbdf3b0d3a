/**
 * SPEC §3: the one catalogue of error codes: HTTP status, whether a retry may
 * help, and the default message. AppError (libs/common), the gateway's
 * envelope, the services and the OpenAPI document all read it.
 */
export const ERROR_CATALOGUE = {
  validation_error: { status: 400, recoverable: false, message: 'The request is not valid.' },
  message_invalid: { status: 400, recoverable: false, message: 'The message text is not valid.' },
  auth_required: { status: 401, recoverable: false, message: 'Send the session token as a Bearer token.' },
  invalid_token: { status: 401, recoverable: false, message: 'The token is not valid.' },
  auth_expired: { status: 401, recoverable: true, message: 'The session has expired; refresh or start a new one.' },
  invalid_origin: { status: 403, recoverable: false, message: 'The request origin is not allowed for this widget.' },
  widget_disabled: { status: 403, recoverable: false, message: 'The widget is disabled.' },
  conversation_not_found: { status: 404, recoverable: false, message: 'No such conversation.' },
  article_not_found: { status: 404, recoverable: false, message: 'No such article.' },
  form_not_found: { status: 404, recoverable: false, message: 'No such form.' },
  not_found: { status: 404, recoverable: false, message: 'No such resource.' },
  forbidden: { status: 403, recoverable: false, message: 'Your role may not do this.' },
  attachment_too_large: { status: 413, recoverable: false, message: 'The request body is too large.' },
  unsupported_file_type: { status: 415, recoverable: false, message: 'This type of file is not accepted.' },
  rate_limited: { status: 429, recoverable: true, message: 'Too many requests; retry later.' },
  internal_error: { status: 500, recoverable: true, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; recoverable: boolean; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * Every "no such thing" answer, minted in one place whether the gateway (a
 * malformed path id) or the owning service (an unknown or hidden row) says it.
 */
export const NOT_FOUND = {
  workspace: { code: 'not_found', reason: 'workspace_not_found', message: 'No such workspace.' },
  widget: { code: 'not_found', reason: 'widget_not_found', message: 'No such widget.' },
  conversation: { code: 'conversation_not_found', reason: 'unknown_conversation', message: 'No such conversation.' },
  article: { code: 'article_not_found', reason: 'article_not_found', message: 'No such article.' },
  form: { code: 'form_not_found', reason: 'form_not_found', message: 'No such form.' },
  route: { code: 'not_found', reason: 'route_not_found', message: 'No such route.' },
  attachment: { code: 'not_found', reason: 'attachment_not_found', message: 'No such attachment.' },
  operator: { code: 'not_found', reason: 'member_not_found', message: 'No such member.' },
  apiKey: { code: 'not_found', reason: 'api_key_not_found', message: 'No such API key.' },
  team: { code: 'not_found', reason: 'team_not_found', message: 'No such team.' },
  person: { code: 'not_found', reason: 'person_not_found', message: 'Nothing is held about this person.' },
  erasure: { code: 'not_found', reason: 'erasure_not_found', message: 'No such erasure.' },
  /** An unsubscribe link (issue 22) whose token is unknown or expired. */
  emailToken: { code: 'not_found', reason: 'email_token_not_found', message: 'No such unsubscribe link.' },
  cannedReply: { code: 'not_found', reason: 'canned_reply_not_found', message: 'No such canned reply.' },
  webhook: { code: 'not_found', reason: 'webhook_not_found', message: 'No such webhook.' },
  delivery: { code: 'not_found', reason: 'delivery_not_found', message: 'No such webhook delivery.' },
} as const satisfies Record<string, { code: ErrorCode; reason: string; message: string }>;

export type NotFoundKind = keyof typeof NOT_FOUND;
