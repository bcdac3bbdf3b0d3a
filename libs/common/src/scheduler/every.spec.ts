import { Writable } from 'node:stream';
import { createLogger } from '../logging';
import { every } from './every';

function sink() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  return { lines, logger: createLogger('test', 'info', stream) };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
};

describe('every(name, ms, job)', () => {
  it('never runs a job alongside itself: ticks while a pass runs are skipped', async () => {
    const { logger } = sink();
    let running = 0;
    let overlapped = false;
    let passes = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const job = every('slow', 5, async () => {
      running++;
      overlapped ||= running > 1;
      passes++;
      await gate;
      running--;
    }, logger);
    await until(() => passes === 1);
    // Many periods go by while the first pass is held.
    await new Promise((r) => setTimeout(r, 60));
    expect(passes).toBe(1);
    release();
    await until(() => passes >= 3);
    await job.stop();
    expect(overlapped).toBe(false);
  });

  it('logs a failed pass with the job name and goes on', async () => {
    const { lines, logger } = sink();
    let passes = 0;
    const job = every('flaky', 5, () => {
      passes++;
      if (passes === 1) throw new Error('first pass fails');
    }, logger);
    await until(() => passes >= 2);
    await job.stop();
    expect(lines[0]).toMatchObject({ level: 50, job: 'flaky', msg: 'flaky failed', err: { message: 'first pass fails' } });
  });

  it('stop(): calls onStop at once, waits for the running pass, and no pass starts after it', async () => {
    const { logger } = sink();
    let passes = 0;
    let finished = false;
    let stopping = false;
    const job = every('long', 5, async () => {
      passes++;
      await until(() => stopping);
      finished = true;
    }, logger, { firstInMs: 0, onStop: () => (stopping = true) });
    await until(() => passes === 1);
    await job.stop();
    expect(finished).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    await job.run();
    expect(passes).toBe(1);
  });
});
