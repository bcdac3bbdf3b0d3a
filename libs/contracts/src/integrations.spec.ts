import { createWebhookBody, domainEventStream, webhookUrlProblem } from './integrations';

describe('webhook URLs (SPEC §16)', () => {
  it.each([
    ['https://hooks.example.com/x', null],
    ['http://10.0.0.5:8080/hook', null],
    ['https://user:pass@hooks.example.com/x', 'must not carry credentials (user:pass@)'],
    ['https://user@hooks.example.com/x', 'must not carry credentials (user:pass@)'],
    ['ftp://hooks.example.com/x', 'must be an http(s) URL'],
    ['javascript:alert(1)', 'must be an http(s) URL'],
    ['hooks.example.com/x', 'must be an absolute URL'],
    ['https://hooks.example.com/x#part', 'must not have a fragment'],
  ])('%s → %s', (url, problem) => expect(webhookUrlProblem(url)).toBe(problem));

  it('refuses an unknown event and keeps known ones', () => {
    expect(createWebhookBody.safeParse({ url: 'https://h.example.com', events: ['message.created', 'form.submitted'] }).success).toBe(true);
    expect(createWebhookBody.safeParse({ url: 'https://h.example.com', events: ['message.deleted'] }).success).toBe(false);
  });
});

describe('domainEventStream', () => {
  it('names one stream per namespace, in characters JetStream accepts', () => {
    expect(domainEventStream('')).toBe('domain-events');
    expect(domainEventStream('staging.')).toBe('staging-domain-events');
    expect(domainEventStream('a.b.')).toBe('a-b-domain-events');
  });
});
