import { leastBusy, nextInTurn } from './routing';

const members = [
  { id: 'op_A', name: 'Ada' },
  { id: 'op_B', name: 'Bo' },
  { id: 'op_C', name: 'Cy' },
];

describe('routing choices (SPEC §14)', () => {
  it('round robin: the first member after the last one given a conversation, wrapping around; the first when none was', () => {
    expect(nextInTurn(members, null).id).toBe('op_A');
    expect(nextInTurn(members, 'op_A').id).toBe('op_B');
    expect(nextInTurn(members, 'op_C').id).toBe('op_A');
    // The last one is away now (not a candidate): whoever comes after it.
    expect(nextInTurn([members[0], members[2]], 'op_B').id).toBe('op_C');
    expect(nextInTurn([members[0]], 'op_Z').id).toBe('op_A');
  });

  it('least busy: the fewest open conversations, ties to the smallest id, nobody counted as zero', () => {
    expect(leastBusy(members, new Map()).id).toBe('op_A');
    expect(leastBusy(members, new Map([['op_A', 1]])).id).toBe('op_B');
    expect(leastBusy(members, new Map([['op_A', 2], ['op_B', 1], ['op_C', 1]])).id).toBe('op_B');
    expect(leastBusy(members, new Map([['op_A', 3], ['op_B', 3], ['op_C', 2]])).id).toBe('op_C');
  });
});
