import { UploadGate } from './upload-gate';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('UploadGate', () => {
  it('runs at most `size` at once, the rest in arrival order, and frees slots on failure too', async () => {
    const gate = new UploadGate(2);
    const started: number[] = [];
    const release: Array<() => void> = [];
    const job = (n: number, fail = false) =>
      gate.run(async () => {
        started.push(n);
        await new Promise<void>((resolve) => release.push(resolve));
        if (fail) throw new Error(`job ${n}`);
        return n;
      });
    const results = [job(1, true), job(2), job(3), job(4)].map((p) => p.catch((err: Error) => err.message));
    await tick();
    expect({ started, inFlight: gate.inFlight, queued: gate.queued }).toEqual({ started: [1, 2], inFlight: 2, queued: 2 });
    release.shift()!();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    while (release.length > 0) {
      release.shift()!();
      await tick();
    }
    expect(await Promise.all(results)).toEqual(['job 1', 2, 3, 4]);
    expect({ inFlight: gate.inFlight, queued: gate.queued }).toEqual({ inFlight: 0, queued: 0 });
  });
});
