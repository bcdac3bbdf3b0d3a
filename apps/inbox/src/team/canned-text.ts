// Where a canned reply goes in the reply box: pure text rules (team.spec.ts).

/** `/` then the search, right before the caret, at the start of the box or after a space. */
const TRIGGER = /(^|\s)\/([^\s/]*)$/;

/** The `/…` being typed before the caret, or null: where a canned reply would go. */
export function slashQuery(value: string, caret: number): { start: number; query: string } | null {
  const match = TRIGGER.exec(value.slice(0, caret));
  if (!match) return null;
  return { start: match.index + match[1].length, query: match[2] };
}

/** The box's text with the `/…` at `start` (up to the caret) replaced by the reply; the caret goes after it. */
export function insertReply(value: string, start: number, caret: number, text: string): { value: string; caret: number } {
  return { value: value.slice(0, start) + text + value.slice(caret), caret: start + text.length };
}
