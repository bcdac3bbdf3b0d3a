/**
 * GET /config as the widget uses it, in the upstream names of SPEC §9, with
 * safe defaults for fields an older server does not send (features.forms was
 * the name of features.ticketForms; badge and ai.enabled default on).
 */
export interface WidgetView {
  id: string;
  workspaceId: string;
  name: string;
  enabled: boolean;
  identity: { anonymousAllowed: boolean; jwtRequiredForIdentifiedUsers: boolean };
  features: { conversations: boolean; attachments: boolean; knowledgeBase: boolean; aiAnswers: boolean; ticketForms: boolean; customLauncher: boolean };
  theme: { primaryColor: string; textColor: string; mode: 'light' | 'dark' | 'auto' };
  launcher: { position: 'bottom-right' | 'bottom-left'; label: string; badge: boolean; hidden: boolean };
  forms: { visibleFormIds: string[] };
  ai: { enabled: boolean; mode: 'answer_first' | 'suggest_articles' | 'human_first'; escalationBehavior: string };
  /** SPEC §15; null from a server that does not say. */
  availability: AvailabilityView | null;
}

export interface AvailabilityView {
  online: boolean;
  /** ISO instant of the next opening, when outside the hours. */
  nextOpenAt: string | null;
  replyTime: 'minutes' | 'hours' | 'day' | null;
}

export function normalizeAvailability(raw: unknown): AvailabilityView | null {
  const a = raw as Loose;
  if (!a || typeof a.online !== 'boolean') return null;
  const next = typeof a.nextOpenAt === 'string' && !Number.isNaN(Date.parse(a.nextOpenAt)) ? a.nextOpenAt : null;
  const replyTime = a.replyTime === 'minutes' || a.replyTime === 'hours' || a.replyTime === 'day' ? a.replyTime : null;
  return { online: a.online, nextOpenAt: next, replyTime };
}

type Loose = Record<string, unknown> | undefined;
const bool = (value: unknown, fallback: boolean) => (typeof value === 'boolean' ? value : fallback);
const str = <T extends string>(value: unknown, fallback: T): T => (typeof value === 'string' && value ? (value as T) : fallback);
const color = (value: unknown, fallback: string) => (typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value) ? value : fallback);

export function normalizeConfig(raw: unknown): WidgetView {
  const c = (raw ?? {}) as Record<string, unknown>;
  const identity = c.identity as Loose;
  const features = c.features as Loose;
  const theme = c.theme as Loose;
  const launcher = c.launcher as Loose;
  const forms = c.forms as Loose;
  const ai = c.ai as Loose;
  return {
    id: String(c.id ?? ''),
    workspaceId: String(c.workspaceId ?? ''),
    name: str(c.name, 'Support'),
    enabled: bool(c.enabled, true),
    identity: {
      anonymousAllowed: bool(identity?.anonymousAllowed, true),
      jwtRequiredForIdentifiedUsers: bool(identity?.jwtRequiredForIdentifiedUsers, true),
    },
    features: {
      conversations: bool(features?.conversations, true),
      attachments: bool(features?.attachments, false),
      knowledgeBase: bool(features?.knowledgeBase, true),
      aiAnswers: bool(features?.aiAnswers, true),
      ticketForms: bool(features?.ticketForms ?? features?.forms, true),
      customLauncher: bool(features?.customLauncher, false),
    },
    theme: {
      primaryColor: color(theme?.primaryColor, '#1f6feb'),
      textColor: color(theme?.textColor, '#ffffff'),
      mode: str(theme?.mode, 'auto'),
    },
    launcher: {
      position: str(launcher?.position, 'bottom-right'),
      label: str(launcher?.label, 'Chat with us'),
      badge: bool(launcher?.badge, true),
      hidden: bool(launcher?.hidden, false),
    },
    forms: { visibleFormIds: Array.isArray(forms?.visibleFormIds) ? (forms!.visibleFormIds as string[]) : [] },
    ai: {
      enabled: bool(ai?.enabled, true),
      mode: str(ai?.mode, 'answer_first'),
      escalationBehavior: str(ai?.escalationBehavior, 'attach_context'),
    },
    availability: normalizeAvailability(c.availability),
  };
}
