import type { Member } from '@widget/contracts';
import { Avatar } from './me';

/** Who of the team is there: each active member with presence online, away or offline. */
export function Teammates({ members, meId }: { members: Member[]; meId: string }) {
  const others = members.filter((m) => m.status === 'active' && m.id !== meId);
  if (others.length === 0) return null;
  return (
    <section class="teammates" aria-label="Teammates">
      <h2>Team</h2>
      <ul>
        {others.map((m) => (
          <li key={m.id}>
            <Avatar id={m.id} name={m.name} presence={m.presence ?? 'offline'} />
            <span class="said" dir="auto">
              {m.name}
            </span>{' '}
            <span class={`presence-label presence-${m.presence ?? 'offline'}`}>{m.presence ?? 'offline'}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
