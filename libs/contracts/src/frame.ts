import * as v from 'valibot';

/**
 * The page ↔ frame channel of the browser SDK (SPEC §12), version 1.
 *
 * 1. The frame (served from widgetBase) posts `hello` to its parent, with the
 *    host origin it was told in its URL fragment as targetOrigin.
 * 2. The host checks the sender (its own iframe's window), the sender's origin
 *    (widgetBase) and the nonce, then posts `connect` with a private
 *    MessageChannel port, targetOrigin = widgetBase.
 * 3. The frame checks the sender (its parent), the origin and the nonce, and
 *    from then on both sides speak only over the port. Every message, on
 *    either side, is parsed with these schemas before it is acted on.
 *
 * Written with valibot (modular, about 1 kB for these schemas) rather than zod,
 * whose smallest engine alone would take 7 of the loader's 10 kB gzip budget.
 * The session token is never part of any message here.
 */
export const FRAME_PROTOCOL = 'support-chat';
export const FRAME_PROTOCOL_VERSION = 1;

const str = /* @__NO_SIDE_EFFECTS__ */ (max = 10_000) => v.pipe(v.string(), v.maxLength(max));
const opt = /* @__NO_SIDE_EFFECTS__ */ <S extends v.GenericSchema>(schema: S) => v.optional(schema);
const json = /* @__PURE__ */ v.record(/* @__PURE__ */ v.string(), /* @__PURE__ */ v.unknown());

// Every call below is marked pure (helpers with __NO_SIDE_EFFECTS__), so a bundle drops the schemas it never
// parses: the loader reads hello and the frame's messages only, the frame the host's and connect.
const protocol = /* @__PURE__ */ v.literal(FRAME_PROTOCOL);
const version = /* @__PURE__ */ v.literal(FRAME_PROTOCOL_VERSION);

/** window.postMessage, frame → host. */
export const frameHelloSchema = /* @__PURE__ */ v.strictObject({ protocol, v: version, type: /* @__PURE__ */ v.literal('hello'), nonce: str(64) });

const userSchema = /* @__PURE__ */ v.looseObject({ id: opt(str(255)), email: opt(str(255)), name: opt(str(255)), traits: opt(json) });
const companySchema = /* @__PURE__ */ v.looseObject({ id: opt(str(255)), name: opt(str(255)), plan: opt(str(255)) });
const themeSchema = /* @__PURE__ */ v.looseObject({ primaryColor: opt(str(32)), textColor: opt(str(32)), mode: opt(/* @__PURE__ */ v.picklist(['light', 'dark', 'auto'])) });
const launcherSchema = /* @__PURE__ */ v.looseObject({ position: opt(/* @__PURE__ */ v.picklist(['bottom-right', 'bottom-left'])), label: opt(str(80)), hidden: opt(/* @__PURE__ */ v.boolean()) });
const privacySchema = /* @__PURE__ */ v.looseObject({ requireConsent: opt(/* @__PURE__ */ v.boolean()), consent: opt(/* @__PURE__ */ v.boolean()) });

/** The options of createChat that the frame needs; read once. */
export const frameOptionsSchema = /* @__PURE__ */ v.strictObject({
  workspaceId: str(64),
  widgetId: opt(str(64)),
  locale: opt(str(35)),
  theme: opt(themeSchema),
  launcher: opt(launcherSchema),
  privacy: opt(privacySchema),
  debug: opt(/* @__PURE__ */ v.boolean()),
});
export type FrameOptions = v.InferOutput<typeof frameOptionsSchema>;

/** window.postMessage, host → frame, carrying the port (event.ports[0]). */
export const frameConnectSchema = /* @__PURE__ */ v.strictObject({ protocol, v: version, type: /* @__PURE__ */ v.literal('connect'), nonce: str(64), options: frameOptionsSchema });

const call = /* @__NO_SIDE_EFFECTS__ */ <M extends string, A extends v.GenericSchema>(method: M, args: A) => v.strictObject({ method: v.literal(method), args });
const none = /* @__PURE__ */ v.optional(/* @__PURE__ */ v.strictObject({}));
const identityArgs = /* @__PURE__ */ v.strictObject({ user: opt(userSchema), company: opt(companySchema), tokenProvider: opt(/* @__PURE__ */ v.boolean()) });

/** Every method the host may call in the frame, with its arguments. */
export const frameCallSchema = /* @__PURE__ */ v.variant('method', [
  call('boot', identityArgs),
  call('identify', identityArgs),
  call('update', /* @__PURE__ */ v.strictObject({ user: opt(userSchema), company: opt(companySchema), context: opt(json) })),
  call('shutdown', /* @__PURE__ */ v.strictObject({ clearStorage: opt(/* @__PURE__ */ v.boolean()) })),
  call('open', none),
  call('close', none),
  call('show', none),
  call('hide', none),
  call('showLauncher', none),
  call('hideLauncher', none),
  call('startConversation', /* @__PURE__ */ v.strictObject({ subject: opt(str(255)), message: opt(str()), tags: opt(/* @__PURE__ */ v.array(str(64))), customFields: opt(json), metadata: opt(json) })),
  call('listConversations', /* @__PURE__ */ v.strictObject({ limit: opt(/* @__PURE__ */ v.number()) })),
  call('showConversation', /* @__PURE__ */ v.strictObject({ id: str(64) })),
  // Files cross the port as File objects (structured clone); the frame uploads them with the session's token.
  call('sendMessage', /* @__PURE__ */ v.strictObject({ conversationId: opt(str(64)), text: opt(str()), files: opt(/* @__PURE__ */ v.pipe(/* @__PURE__ */ v.array(/* @__PURE__ */ v.file()), /* @__PURE__ */ v.maxLength(10))), clientMessageId: opt(str(64)) })),
  call('markConversationRead', /* @__PURE__ */ v.strictObject({ id: str(64) })),
  call('showNewMessage', /* @__PURE__ */ v.strictObject({ prefill: opt(str()), metadata: opt(json) })),
  call('searchArticles', /* @__PURE__ */ v.strictObject({ query: str(500) })),
  call('showArticle', /* @__PURE__ */ v.strictObject({ id: str(64) })),
  call('showTicketForm', /* @__PURE__ */ v.strictObject({ formId: str(64) })),
  call('setContext', /* @__PURE__ */ v.strictObject({ context: json })),
  call('setConversationTags', /* @__PURE__ */ v.strictObject({ tags: /* @__PURE__ */ v.array(str(64)) })),
  call('setCustomFields', /* @__PURE__ */ v.strictObject({ fields: json })),
  call('setTheme', /* @__PURE__ */ v.strictObject({ theme: themeSchema })),
  call('setLocale', /* @__PURE__ */ v.strictObject({ locale: str(35) })),
  call('setConsent', /* @__PURE__ */ v.strictObject({ granted: /* @__PURE__ */ v.boolean() })),
]);
export type FrameCall = v.InferOutput<typeof frameCallSchema>;
export type FrameMethod = FrameCall['method'];

const errorSchema = /* @__PURE__ */ v.strictObject({
  code: str(64),
  message: str(2000),
  reason: opt(str(200)),
  requestId: opt(str(64)),
  recoverable: /* @__PURE__ */ v.boolean(),
});
export type FrameError = v.InferOutput<typeof errorSchema>;

/** Over the port, host → frame. */
export const hostToFrameSchema = /* @__PURE__ */ v.variant('type', [
  /* @__PURE__ */ v.strictObject({ v: version, type: /* @__PURE__ */ v.literal('call'), id: /* @__PURE__ */ v.number(), call: frameCallSchema }),
  // The answer to a frame's token request: a fresh identity JWT from the page's tokenProvider.
  /* @__PURE__ */ v.strictObject({ v: version, type: /* @__PURE__ */ v.literal('token'), id: /* @__PURE__ */ v.number(), token: opt(str(8192)), error: opt(str(2000)) }),
  // The page's AbortSignal fired for call `id` (sendMessage): the frame aborts what it can of it.
  /* @__PURE__ */ v.strictObject({ v: version, type: /* @__PURE__ */ v.literal('cancel'), id: /* @__PURE__ */ v.number() }),
]);
export type HostToFrame = v.InferOutput<typeof hostToFrameSchema>;

export const chatEventSchema = /* @__PURE__ */ v.strictObject({ id: str(64), type: str(64), createdAt: str(40), payload: /* @__PURE__ */ v.unknown() });
export type ChatEventEnvelope = v.InferOutput<typeof chatEventSchema>;

/** How the host should size the iframe: nothing, the launcher bubble, or the open panel. */
export const frameLayoutSchema = /* @__PURE__ */ v.strictObject({
  mode: /* @__PURE__ */ v.picklist(['hidden', 'launcher', 'open']),
  position: /* @__PURE__ */ v.picklist(['bottom-right', 'bottom-left']),
});
export type FrameLayout = v.InferOutput<typeof frameLayoutSchema>;

export const CHAT_STATES = ['not_initialized', 'loading', 'ready', 'booting', 'anonymous', 'authenticated', 'reconnecting', 'disconnected', 'shutdown', 'destroyed'] as const;
export type ChatState = (typeof CHAT_STATES)[number];

/** Over the port, frame → host. */
export const frameToHostSchema = /* @__PURE__ */ v.variant('type', [
  // ok: value holds the method's answer; not ok: error holds the SupportChatError's fields.
  /* @__PURE__ */ v.strictObject({ v: version, type: /* @__PURE__ */ v.literal('result'), id: /* @__PURE__ */ v.number(), ok: /* @__PURE__ */ v.boolean(), value: /* @__PURE__ */ v.optional(/* @__PURE__ */ v.unknown()), error: opt(errorSchema) }),
  /* @__PURE__ */ v.strictObject({ v: version, type: /* @__PURE__ */ v.literal('event'), event: chatEventSchema }),
  /* @__PURE__ */ v.strictObject({ v: version, type: /* @__PURE__ */ v.literal('state'), state: /* @__PURE__ */ v.picklist(CHAT_STATES) }),
  /* @__PURE__ */ v.strictObject({ v: version, type: /* @__PURE__ */ v.literal('layout'), layout: frameLayoutSchema }),
  /* @__PURE__ */ v.strictObject({ v: version, type: /* @__PURE__ */ v.literal('tokenRequest'), id: /* @__PURE__ */ v.number() }),
]);
export type FrameToHost = v.InferOutput<typeof frameToHostSchema>;

/** The parsed message, or null when it does not match (the caller drops it). */
export function parseFrameMessage<S extends v.GenericSchema>(schema: S, data: unknown): v.InferOutput<S> | null {
  const result = v.safeParse(schema, data);
  return result.success ? result.output : null;
}
