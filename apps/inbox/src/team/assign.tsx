import type { Conversation, Member } from '@widget/contracts';

/** Assign the open conversation to a teammate (or to nobody), each shown with its presence. */
export function AssignTo({ conversation, members, onAssign }: { conversation: Conversation; members: Member[]; onAssign: (assignee: { id: string; name: string } | null) => void }) {
  const active = members.filter((m) => m.status === 'active');
  return (
    <label class="assign-to">
      Assign to{' '}
      <select
        value={conversation.assignee?.id ?? ''}
        onChange={(e) => {
          const id = (e.currentTarget as HTMLSelectElement).value;
          const member = active.find((m) => m.id === id);
          onAssign(member ? { id: member.id, name: member.name } : null);
        }}
      >
        <option value="">Nobody</option>
        {active.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name} ({m.presence ?? 'offline'})
          </option>
        ))}
      </select>
    </label>
  );
}
