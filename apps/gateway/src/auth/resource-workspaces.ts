import { Injectable } from '@nestjs/common';
import { Errors, NatsBus } from '@widget/common';
import { ConversationRpc, FormsRpc, idOf, KnowledgeRpc, SessionRpc } from '@widget/contracts';
import { LRUCache } from 'lru-cache';
import type { ResourceKind } from './access';

type Lookup = (bus: NatsBus, id: string, requestId: string) => Promise<string>;

/** How the workspace of an id is learnt: from the service that owns the resource. */
const LOOKUPS: Record<ResourceKind, Lookup> = {
  widget: async (bus, widgetId, requestId) => (await bus.send(SessionRpc.getWidget, { widgetId }, { requestId })).workspaceId,
  article: async (bus, articleId, requestId) => (await bus.send(KnowledgeRpc.adminGetArticle, { articleId }, { requestId })).workspaceId,
  form: async (bus, formId, requestId) => (await bus.send(FormsRpc.adminGet, { formId }, { requestId })).workspaceId,
  conversation: async (bus, conversationId, requestId) => (await bus.send(ConversationRpc.adminGet, { conversationId }, { requestId })).owner.workspaceId,
};

const ID_SHAPES: Record<ResourceKind, ReturnType<typeof idOf>> = {
  widget: idOf('widget'),
  article: idOf('article'),
  form: idOf('form'),
  conversation: idOf('conversation'),
};

/**
 * Which workspace a widget, article, form or conversation belongs to, for the
 * access check of a route addressed by its id. A resource never changes
 * workspace, so an answer is kept for the life of the process (bounded).
 * Unknown or malformed ids get the resource's own 404.
 */
@Injectable()
export class ResourceWorkspaces {
  private readonly known = new LRUCache<string, string>({ max: 100_000 });

  constructor(private readonly bus: NatsBus) {}

  async of(kind: ResourceKind, id: string, requestId: string): Promise<string> {
    if (!ID_SHAPES[kind].safeParse(id).success) throw Errors.notFound(kind);
    const cached = this.known.get(id);
    if (cached) return cached;
    const workspaceId = await LOOKUPS[kind](this.bus, id, requestId);
    this.known.set(id, workspaceId);
    return workspaceId;
  }
}
