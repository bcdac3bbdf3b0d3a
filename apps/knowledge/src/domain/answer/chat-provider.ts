import { Injectable } from '@nestjs/common';
import { InjectConfig, InjectLogger } from '@widget/common';
import type { Logger } from 'pino';
import type { KnowledgeConfig } from '../../config';
import { buildMessages, parseProviderReply, ProviderAnswer, ProviderPassage } from './provider-reply';

/**
 * An optional language model behind the common chat-completions HTTP
 * protocol. Every failure (time-out, HTTP error, unparsable or uncited reply)
 * comes back as `invalid`, so the caller falls back to the built-in answer.
 * The API key is sent, never logged.
 */
@Injectable()
export class ChatProvider {
  private readonly logger: Logger;

  constructor(@InjectConfig() private readonly config: KnowledgeConfig, @InjectLogger() logger: Logger) {
    this.logger = logger.child({ component: 'ChatProvider' });
  }

  get enabled(): boolean {
    return Boolean(this.config.AI_PROVIDER_BASE_URL);
  }

  async answer(question: string, passages: ProviderPassage[], locale?: string): Promise<ProviderAnswer> {
    const url = `${this.config.AI_PROVIDER_BASE_URL!.replace(/\/+$/, '')}/chat/completions`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.AI_PROVIDER_API_KEY) headers.authorization = `Bearer ${this.config.AI_PROVIDER_API_KEY}`;
    const started = Date.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.config.AI_PROVIDER_MODEL, messages: buildMessages(question, passages, locale), temperature: 0 }),
        signal: AbortSignal.timeout(this.config.AI_PROVIDER_TIMEOUT_MS),
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return this.failed(`http_${res.status}`, started);
      }
      const parsed = parseProviderReply(await res.json(), passages.length);
      if (parsed.kind === 'invalid') return this.failed(parsed.reason, started);
      return parsed;
    } catch (err) {
      const name = (err as Error)?.name;
      return this.failed(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : name === 'SyntaxError' ? 'invalid_json' : 'unreachable', started);
    }
  }

  private failed(reason: string, started: number): ProviderAnswer {
    this.logger.warn(`AI provider unusable (${reason}) after ${Date.now() - started} ms; using the built-in answer`);
    return { kind: 'invalid', reason };
  }
}
