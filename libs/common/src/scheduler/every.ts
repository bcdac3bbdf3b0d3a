import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { InjectLogger } from '../logging';

export interface EveryOptions {
  /** Delay of the first run (default: one period). 0 runs it at once. */
  firstInMs?: number;
  /** Called at once when the job is stopped (before its running pass is awaited): a long pass can end early. */
  onStop?: () => void;
}

/** One maintenance loop: `run()` starts a pass now (joining one already running), `stop()` ends it. */
export interface Job {
  readonly name: string;
  run(): Promise<void>;
  /** No pass starts after this; resolves when the one running (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `job` every `ms`: never two passes of one job at once (a tick while one
 * runs is skipped), a pass that throws is logged with the job's name and the
 * loop goes on, timers are unref'd (they never keep a process alive).
 */
export function every(name: string, ms: number, job: () => Promise<unknown> | unknown, logger: Logger, options: EveryOptions = {}): Job {
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = (): Promise<void> => {
    if (stopped) return running ?? Promise.resolve();
    running ??= (async () => {
      try {
        await job();
      } catch (err) {
        logger.error({ job: name, err }, `${name} failed`);
      }
    })().finally(() => (running = undefined));
    return running;
  };
  const tick = () => {
    timer = setTimeout(tick, ms);
    timer.unref();
    void run();
  };
  timer = setTimeout(tick, options.firstInMs ?? ms);
  timer.unref();
  return {
    name,
    run,
    async stop() {
      if (!stopped) options.onStop?.();
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * The app's maintenance loops (`scheduler.every(name, ms, job)`): one kind of
 * timer for all of them, stopped when the app drains, before its NATS and
 * database connections close, waiting for the passes still running.
 */
@Injectable()
export class Scheduler implements BeforeApplicationShutdown {
  private readonly jobs = new Set<Job>();

  constructor(@InjectLogger() private readonly logger: Logger) {}

  every(name: string, ms: number, job: () => Promise<unknown> | unknown, options?: EveryOptions): Job {
    const handle = every(name, ms, job, this.logger, options);
    this.jobs.add(handle);
    return handle;
  }

  /** Stops every loop; resolves once no pass is running. */
  async stopAll(): Promise<void> {
    const jobs = [...this.jobs];
    this.jobs.clear();
    await Promise.all(jobs.map((job) => job.stop()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stopAll();
  }
}
