import { AppError, Errors, originAllowed } from '@widget/common';
import { OperatorContext, SessionContext, WidgetAccess } from '@widget/contracts';

/** Who is on the other end of a socket: a visitor's session, or an operator feed of one workspace. */
export type Viewer = { kind: 'visitor'; session: SessionContext; origin: string | undefined } | { kind: 'operator'; operator: OperatorContext };

export const expiryOf = (viewer: Viewer): string => (viewer.kind === 'visitor' ? viewer.session.expiresAt : viewer.operator.expiresAt);

/**
 * Why a widget does not (or no longer) allow a visitor's socket, or null: checked at the
 * handshake and again on every widget change (issue 13), so both ask the same question.
 */
export function visitorRefusal(widget: WidgetAccess, session: SessionContext, origin: string | undefined): AppError | null {
  if (!widget.enabled) return Errors.widgetDisabled();
  // Everything pushed here is conversation traffic.
  if (!widget.features.conversations) return Errors.widgetDisabled('feature_disabled');
  if (session.identityType === 'anonymous' && widget.anonymousAllowed === false) return Errors.anonymousNotAllowed();
  if (!origin) return Errors.invalidOrigin('origin_missing');
  if (!originAllowed(origin, widget.allowedOrigins)) return Errors.invalidOrigin('origin_not_allowed');
  return null;
}
