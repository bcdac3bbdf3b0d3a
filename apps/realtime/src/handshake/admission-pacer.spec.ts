import { AdmissionPacer } from './admission-pacer';

describe('AdmissionPacer', () => {
  it('gives each refusal the next free turn at the configured rate, starting past the minimum delay', () => {
    let now = 10_000;
    const pacer = new AdmissionPacer(1000, 500, 60_000, () => now);
    expect([pacer.turn(), pacer.turn(), pacer.turn()]).toEqual([0.5, 0.501, 0.502]);
    for (let i = 0; i < 997; i++) pacer.turn();
    // 100 ms later the queue still holds the 1,000 turns booked: the next is after them, not at now + 500 ms.
    now += 100;
    expect(pacer.turn()).toBe(1.4);
  });

  it('starts again from the minimum delay once the booked turns have passed, and never books past the maximum', () => {
    let now = 0;
    const pacer = new AdmissionPacer(10, 500, 2000, () => now);
    expect([pacer.turn(), pacer.turn()]).toEqual([0.5, 0.6]);
    now = 5000;
    expect(pacer.turn()).toBe(0.5);
    for (let i = 0; i < 100; i++) pacer.turn();
    expect(pacer.turn()).toBe(2);
  });
});
