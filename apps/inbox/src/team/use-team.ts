import type { Member, PresenceStatus } from '@widget/contracts';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { TeamApi } from './team-api';

/** Teammates' presence is not on the feed: the member list is read again this often while the page is open. */
const MEMBERS_REFRESH_MS = 20_000;

/**
 * The workspace's members with their presence (assign to a teammate, who is there), and this agent's own
 * presence, set online or away (SPEC §14: routing skips an agent who is away).
 */
export function useTeam(team: TeamApi, meId: string, fail: (err: unknown) => void) {
  const [members, setMembers] = useState<Member[]>([]);
  const [presence, setPresenceState] = useState<PresenceStatus>('online');

  const reload = useCallback(() => team.members().then((page) => setMembers(page.data), fail), [team, fail]);

  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => void reload(), MEMBERS_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);

  // What the server holds for this account, once the list says (an away set in another tab stays away).
  const mine = members.find((m) => m.id === meId)?.presence;
  useEffect(() => {
    if (mine === 'online' || mine === 'away') setPresenceState(mine);
  }, [mine]);

  const setPresence = useCallback(
    async (status: PresenceStatus) => {
      setPresenceState(status);
      try {
        await team.setPresence(status);
        await reload();
      } catch (err) {
        fail(err);
      }
    },
    [team, reload, fail],
  );

  return { members, presence, setPresence, reload };
}
