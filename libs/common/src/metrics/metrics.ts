import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Buckets in seconds: most requests answer in milliseconds; a slow upstream shows up in the tail. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC); off in unit tests that create many registries. */
  defaultMetrics?: boolean;
}

/**
 * The Prometheus registry of one process. Every series carries `service`, so
 * one dashboard covers every app; label values are route patterns and NATS
 * subjects (never ids), which keeps cardinality bounded.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly natsDuration: Histogram<'subject' | 'outcome'>;
  private sockets?: Gauge;
  private socketConnects?: Counter;
  private socketEvents?: Histogram<'event' | 'outcome'>;
  private realtimeUpgrades?: Counter<'route'>;

  constructor(
    readonly service: string,
    options: MetricsOptions = {},
  ) {
    this.registry.setDefaultLabels({ service });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route pattern and status: count is the request rate, buckets the latency.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.natsDuration = new Histogram({
      name: 'nats_request_duration_seconds',
      help: 'NATS requests handled, by subject (without the deployment prefix) and outcome (ok or an error code).',
      labelNames: ['subject', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text served on GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  observeNats(subject: string, outcome: string, seconds: number): void {
    this.natsDuration.observe({ subject, outcome }, seconds);
  }

  /** Connected sockets of this replica; call connected()/disconnected() from the socket server's hooks. */
  socketGauge(): { connected(): void; disconnected(): void } {
    this.sockets ??= new Gauge({ name: 'realtime_connected_sockets', help: 'Sockets connected to this replica.', registers: [this.registry] });
    this.socketConnects ??= new Counter({ name: 'realtime_socket_connections_total', help: 'Sockets accepted since start.', registers: [this.registry] });
    const sockets = this.sockets;
    const connects = this.socketConnects;
    return {
      connected: () => {
        sockets.inc();
        connects.inc();
      },
      disconnected: () => sockets.dec(),
    };
  }

  /**
   * Work a socket server does for its clients outside NATS handlers (e.g. realtime's `typing` relay and its
   * reconnect `replay`), by event and outcome (`ok` or an error code, see outcomeOf).
   */
  observeSocketEvent(event: string, outcome: string, seconds: number): void {
    this.socketEvents ??= new Histogram({
      name: 'realtime_socket_event_duration_seconds',
      help: 'Socket events handled by this replica, by event and outcome (ok or an error code).',
      labelNames: ['event', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.socketEvents.observe({ event, outcome }, seconds);
  }

  /** The gateway's realtime upgrades by the way they reached realtime: `relayed` over TCP, or `in_process` (TARGET=all). */
  countRealtimeUpgrade(route: 'relayed' | 'in_process'): void {
    this.realtimeUpgrades ??= new Counter({
      name: 'gateway_realtime_upgrades_total',
      help: 'WebSocket upgrades of the realtime path, by route: relayed to the realtime service, or handed to it in this process.',
      labelNames: ['route'],
      registers: [this.registry],
    });
    this.realtimeUpgrades.inc({ route });
  }

  /**
   * A gauge read on each scrape, e.g. the outbox backlog:
   * `metrics.gaugeFromCallback('outbox_backlog', 'Events written but not yet published.', () => repo.countPending())`.
   * A failing callback leaves the previous value and never fails the scrape.
   */
  gaugeFromCallback(name: string, help: string, read: () => number | Promise<number>): void {
    let last = 0;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        try {
          last = await read();
        } catch {
          // keep the last value: a scrape must not fail because the database blinked
        }
        this.set(last);
      },
    });
  }
}

/** The outcome label of a failure: the AppError code it carries, else `internal_error` (never free text). */
export function outcomeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? code : 'internal_error';
}

/** Subjects carry NATS_SUBJECT_PREFIX (e.g. `staging.`); metrics name the subject the contract declares. */
export function subjectLabel(subject: string, prefix = process.env.NATS_SUBJECT_PREFIX ?? ''): string {
  return prefix && subject.startsWith(prefix) ? subject.slice(prefix.length) : subject;
}
