import { z } from 'zod';
import { idOf } from './common';
import { widgetEmailSchema } from './email';

/**
 * An allow-listed origin: scheme://host[:port], where the host's first label
 * may be a single `*` (one label, never a suffix). Paths are not origins.
 */
export const originPattern = z
  .string()
  .max(255)
  .regex(/^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i, 'must be an origin like https://app.example.com or https://*.example.com');

export const AI_MODES = ['answer_first', 'suggest_articles', 'human_first'] as const;
export type AiMode = (typeof AI_MODES)[number];

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour');

/** Each section with its safe defaults: a widget created with `{}` is valid. */
export const identitySchema = z
  .object({
    anonymousAllowed: z.boolean().default(true),
    /** false: identify also accepts `{ user }` without a JWT, as an unverified identity (SPEC §4). */
    jwtRequiredForIdentifiedUsers: z.boolean().default(true),
    allowAnonymousToIdentifiedMerge: z.boolean().default(true),
  })
  .strict();
export const ASSIGNMENT_STRATEGIES = ['platform_default', 'round_robin', 'least_busy'] as const;
/**
 * SPEC §14 routing: with `round_robin` or `least_busy` and a `defaultTeamId`, the conversation service assigns
 * a visitor's new conversation to a present agent of that team (docs/api.md, "Routing and presence").
 */
export const routingSchema = z
  .object({
    defaultTeamId: z.string().min(1).max(128).optional(),
    assignmentStrategy: z.enum(ASSIGNMENT_STRATEGIES).optional(),
  })
  .strict();
export const featuresSchema = z
  .object({
    conversations: z.boolean().default(true),
    attachments: z.boolean().default(false),
    knowledgeBase: z.boolean().default(true),
    aiAnswers: z.boolean().default(true),
    ticketForms: z.boolean().default(true),
    /** true: the SDK draws no launcher bubble; the site calls open(). */
    customLauncher: z.boolean().default(false),
    /** Extension: POST /events accepted. */
    events: z.boolean().default(true),
  })
  .strict();
export const themeSchema = z
  .object({
    primaryColor: hexColor.default('#1f6feb'),
    textColor: hexColor.default('#ffffff'),
    mode: z.enum(['light', 'dark', 'auto']).default('auto'),
  })
  .strict();
export const launcherSchema = z
  .object({
    position: z.enum(['bottom-right', 'bottom-left']).default('bottom-right'),
    label: z.string().max(40).default('Chat with us'),
    /** false hides the unread badge. */
    badge: z.boolean().default(true),
    /** Extension: the launcher is not shown at all (the SDK may still open the widget). */
    hidden: z.boolean().default(false),
  })
  .strict();
export const widgetFormsSchema = z
  .object({ visibleFormIds: z.array(idOf('form')).max(100).optional() })
  .strict();
export const knowledgeBaseSchema = z
  .object({ enabledCollectionIds: z.array(idOf('collection')).max(100).optional() })
  .strict();
export const ESCALATION_BEHAVIORS = ['attach_context', 'summary_only', 'none'] as const;
export type EscalationBehavior = (typeof ESCALATION_BEHAVIORS)[number];

export const aiSchema = z
  .object({
    /** false: POST /ai/answer is refused (reason ai_disabled) and the widget shows no AI. */
    enabled: z.boolean().default(true),
    mode: z.enum(AI_MODES).default('answer_first'),
    /** What the agent gets when a visitor goes from an AI answer to a person. */
    escalationBehavior: z.enum(ESCALATION_BEHAVIORS).default('attach_context'),
    /** Extension: below this confidence the default answerer declines and recommends a human. */
    minConfidence: z.number().min(0).max(1).default(0.35),
  })
  .strict();

/** SPEC §15 availability. Day names, lower-case, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const REPLY_TIMES = ['minutes', 'hours', 'day'] as const;
export type ReplyTime = (typeof REPLY_TIMES)[number];

/** An IANA time zone name this runtime's Intl knows (`Europe/Paris`, `America/New_York`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** `HH:MM`, 00:00–23:59; a close may also be `24:00` (the end of the day). */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 09:00 (HH:MM, 24-hour)');
const closeTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time like 18:00 (HH:MM, 24-hour; 24:00 is the end of the day)');

/**
 * One opening range on the named days, in the widget's time zone: from `open` (included) to `close` (excluded),
 * open before close. A range past midnight is written as two (`fri` 22:00–24:00 and `sat` 00:00–02:00).
 */
export const openingHoursSchema = z
  .object({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .max(7)
      .refine((days) => new Set(days).size === days.length, 'must not name a day twice'),
    open: clockTime,
    close: closeTime,
  })
  .strict()
  // Compared only when both are well-formed (each has its own message otherwise).
  .refine((h) => !(clockTime.safeParse(h.open).success && closeTime.safeParse(h.close).success) || h.open < h.close, { message: 'must be after open (a range past midnight is two ranges: …–24:00 and 00:00–…)', path: ['close'] });
export type OpeningHours = z.infer<typeof openingHoursSchema>;

/**
 * SPEC §15: when the team answers. No hours (the default `[]`) means always within hours: then `online` follows
 * presence alone. A PATCH replaces the whole section (null removes it).
 */
export const availabilitySchema = z
  .object({
    timezone: z.string().min(1).max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris'),
    hours: z.array(openingHoursSchema).max(50).default([]),
    replyTime: z.enum(REPLY_TIMES).optional(),
  })
  .strict();
export type AvailabilityConfig = z.infer<typeof availabilitySchema>;

export const widgetConfigSchema = z
  .object({
    name: z.string().trim().min(1).max(120).default('Support'),
    enabled: z.boolean().default(true),
    allowedOrigins: z.array(originPattern).max(50).default([]),
    identity: identitySchema.default({}),
    routing: routingSchema.default({}),
    features: featuresSchema.default({}),
    theme: themeSchema.default({}),
    launcher: launcherSchema.default({}),
    forms: widgetFormsSchema.default({}),
    knowledgeBase: knowledgeBaseSchema.default({}),
    ai: aiSchema.default({}),
    /** SPEC §15; absent: no hours (always within hours) and no reply time. */
    availability: availabilitySchema.optional(),
    /** SPEC §15 email; absent: no transcript on resolve. */
    email: widgetEmailSchema.optional(),
  })
  .strict();
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

/**
 * What an operator may paste: the upstream WidgetConfig may carry `id` and
 * `workspaceId`. The id is ours to mint (a pasted one is ignored); a
 * workspaceId must name the widget's own workspace.
 */
const pastedIdentity = { id: z.string().min(1).max(128).optional(), workspaceId: idOf('workspace').optional() };
export const widgetCreateSchema = widgetConfigSchema.extend(pastedIdentity).strict();
export type WidgetCreateBody = z.infer<typeof widgetCreateSchema>;

/** PATCH body: every section optional, every field of a section optional (deep merge). */
export const widgetPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    enabled: z.boolean(),
    allowedOrigins: z.array(originPattern).max(50),
    identity: identitySchema.partial().strict(),
    routing: routingSchema,
    features: featuresSchema.partial().strict(),
    theme: themeSchema.partial().strict(),
    launcher: launcherSchema.partial().strict(),
    forms: widgetFormsSchema,
    knowledgeBase: knowledgeBaseSchema,
    ai: aiSchema.partial().strict(),
    /** Replaced whole, not merged; null removes it. */
    availability: availabilitySchema.nullable(),
    email: widgetEmailSchema.partial().strict(),
    ...pastedIdentity,
  })
  .partial()
  .strict();
export type WidgetPatch = z.infer<typeof widgetPatchSchema>;

export interface Widget extends WidgetConfig {
  id: string;
  workspaceId: string;
  createdAt: string;
  updatedAt: string;
}

/** The end-user-safe view of GET /config: no secret, no origin list. */
export interface PublicWidgetConfig {
  id: string;
  workspaceId: string;
  name: string;
  enabled: boolean;
  identity: WidgetConfig['identity'];
  features: WidgetConfig['features'];
  theme: WidgetConfig['theme'];
  launcher: WidgetConfig['launcher'];
  forms: { visibleFormIds: string[] };
  ai: { enabled: boolean; mode: AiMode; escalationBehavior: EscalationBehavior };
  availability: Availability;
}

/**
 * GET /config's `availability` (SPEC §15), computed at every request: `online` when within the hours (always,
 * without hours) and at least one member of the workspace is present; `nextOpenAt` the next opening when outside
 * the hours, else null; `replyTime` as configured, null when not.
 */
export interface Availability {
  online: boolean;
  nextOpenAt: string | null;
  replyTime: ReplyTime | null;
}

/** What the gateway caches per widget to check origins and feature switches. */
export interface WidgetAccess {
  widgetId: string;
  workspaceId: string;
  enabled: boolean;
  allowedOrigins: string[];
  /** identity.anonymousAllowed: when false, anonymous sessions of this widget are refused everywhere. */
  anonymousAllowed: boolean;
  features: WidgetConfig['features'];
  ai: WidgetConfig['ai'];
  visibleFormIds: string[];
  /** null: every collection of the workspace. */
  enabledCollectionIds: string[] | null;
  /** How a visitor's new conversation is assigned (handed to the conversation service with the create). */
  routing: WidgetRouting;
}

export type WidgetRouting = WidgetConfig['routing'];

export type FeatureName = keyof WidgetConfig['features'];
