import { Metrics, outcomeOf, subjectLabel } from './metrics';

/** The value of one sample, whatever order prom-client writes its labels in. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('Metrics', () => {
  it('renders request histograms with the service label and bounded labels', async () => {
    const metrics = new Metrics('unit', { defaultMetrics: false });
    metrics.observeHttp('GET', '/widget/v1/conversations/:id', 200, 0.012);
    metrics.observeNats('rpc.session.authenticate', 'ok', 0.003);
    const text = await metrics.render();
    expect(sample(text, 'http_request_duration_seconds_count', { service: 'unit', method: 'GET', route: '/widget/v1/conversations/:id', status: '200' })).toBe(1);
    expect(sample(text, 'nats_request_duration_seconds_count', { service: 'unit', subject: 'rpc.session.authenticate', outcome: 'ok' })).toBe(1);
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it('counts sockets up and down, and reads callback gauges on scrape (keeping the last value on failure)', async () => {
    const metrics = new Metrics('unit', { defaultMetrics: false });
    const sockets = metrics.socketGauge();
    sockets.connected();
    sockets.connected();
    sockets.disconnected();
    let backlog: number | Error = 7;
    metrics.gaugeFromCallback('outbox_backlog', 'Unpublished events.', () => {
      if (backlog instanceof Error) throw backlog;
      return backlog;
    });
    let text = await metrics.render();
    expect(text).toContain('realtime_connected_sockets{service="unit"} 1');
    expect(text).toContain('realtime_socket_connections_total{service="unit"} 2');
    expect(text).toContain('outbox_backlog{service="unit"} 7');
    backlog = new Error('database down');
    text = await metrics.render();
    expect(text).toContain('outbox_backlog{service="unit"} 7');
  });

  it('times socket events by event and outcome, and shows that histogram only once used', async () => {
    const metrics = new Metrics('unit', { defaultMetrics: false });
    expect(await metrics.render()).not.toContain('realtime_socket_event_duration_seconds');
    metrics.observeSocketEvent('typing', 'ok', 0.002);
    metrics.observeSocketEvent('typing', outcomeOf(Object.assign(new Error('slow down'), { code: 'rate_limited' })), 0.001);
    const text = await metrics.render();
    expect(sample(text, 'realtime_socket_event_duration_seconds_count', { service: 'unit', event: 'typing', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'realtime_socket_event_duration_seconds_count', { service: 'unit', event: 'typing', outcome: 'rate_limited' })).toBe(1);
  });

  it('labels an outcome with an error code, never free text', () => {
    expect(outcomeOf({ code: 'conversation_not_found' })).toBe('conversation_not_found');
    expect(outcomeOf(new Error('relation "x" does not exist'))).toBe('internal_error');
    expect(outcomeOf({ code: 'ECONNREFUSED' })).toBe('internal_error');
    expect(outcomeOf(undefined)).toBe('internal_error');
  });

  it('labels subjects without the deployment prefix', () => {
    expect(subjectLabel('staging.rpc.session.start', 'staging.')).toBe('rpc.session.start');
    expect(subjectLabel('rpc.session.start', '')).toBe('rpc.session.start');
  });
});
