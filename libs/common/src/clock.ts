/**
 * The time a domain service reads: injected, so a service test can hold it
 * still or move it (libs/testing's newTestService). The system clock in
 * every running process.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
