import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { OperatorApi } from '@widget/sdk/core';

/** The reply box stops saying "typing" after this long without a key. */
const TYPING_IDLE_MS = 3000;
/** A visitor typing indicator whose stop event was lost fades after this. */
const TYPING_STALE_MS = 8000;

/** Which visitors are typing (conversationId → since when), from the feed; fades what was never stopped. */
export function useVisitorTyping() {
  const [typing, setTyping] = useState<Record<string, number>>({});
  useEffect(() => {
    if (Object.keys(typing).length === 0) return;
    const timer = window.setTimeout(() => {
      const now = Date.now();
      setTyping((t) => Object.fromEntries(Object.entries(t).filter(([, at]) => now - at < TYPING_STALE_MS)));
    }, TYPING_STALE_MS);
    return () => window.clearTimeout(timer);
  }, [typing]);
  const set = useCallback((conversationId: string, on: boolean) => setTyping((t) => (on ? { ...t, [conversationId]: Date.now() } : omit(t, conversationId))), []);
  return { typing, set };
}

/** This operator's own typing signal while the reply box changes: one start, then a stop after a pause or on leaving. */
export function useOwnTyping(api: OperatorApi) {
  const sent = useRef<{ conversationId: string; timer: number } | null>(null);
  const stop = useCallback(() => {
    const current = sent.current;
    if (!current) return;
    window.clearTimeout(current.timer);
    sent.current = null;
    api.typing(current.conversationId, false).catch(() => undefined);
  }, [api]);
  const input = useCallback(
    (conversationId: string) => {
      const current = sent.current;
      if (current && current.conversationId === conversationId) window.clearTimeout(current.timer);
      else {
        stop();
        api.typing(conversationId, true).catch(() => undefined);
      }
      sent.current = { conversationId, timer: window.setTimeout(stop, TYPING_IDLE_MS) };
    },
    [api, stop],
  );
  return { input, stop };
}

function omit<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _gone, ...rest } = record;
  return rest;
}
