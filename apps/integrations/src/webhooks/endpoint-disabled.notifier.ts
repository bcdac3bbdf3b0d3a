import type { WebhookRow } from './webhooks.repository';

/**
 * Tells a workspace's owners that an endpoint was disabled after 24 h of failed
 * retries (SPEC §16). The webhook itself records it (`enabled: false`,
 * `disabledAt`, `disabledReason: "delivery_failed"`), which the operator API
 * shows. The email feature provides it (WebhookDisabledMail, through the mail
 * queue); the webhooks feature only knows this token.
 *
 * A token with no constructor on purpose: a base class whose constructor
 * takes an injected parameter lends its parameter decorators to every
 * subclass (Nest reads them through the prototype chain), which once handed
 * the subclass's first dependency the logger.
 */
export abstract class EndpointDisabledNotifier {
  abstract endpointDisabled(webhook: WebhookRow): Promise<void>;
}
