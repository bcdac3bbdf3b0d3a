import { AppError, Errors, loadConfig } from '@widget/common';
import { AuditContext, ConversationRpc, FormsEvents, SessionContext } from '@widget/contracts';
import { newTestService, TestService } from '@widget/testing';
import { FormsConfig, formsEnv } from '../src/config';
import { FormsService } from '../src/domain/forms.service';
import { SubmissionsService } from '../src/domain/submissions.service';
import { FormsModule } from '../src/forms.module';
import { FORMS_ENTITIES } from '../src/persistence/entities';
import { FORMS_MIGRATIONS } from '../src/persistence/migrations';

let svc: TestService<FormsConfig>;
let forms: FormsService;
let submissions: SubmissionsService;

const WORKSPACE = 'ws_00000000000000000000000001';
const root: AuditContext = { actor: { kind: 'root', id: null }, requestId: 'req-forms-spec', address: null };
const session = (n: number): SessionContext => ({
  sessionId: `ses_${String(n).padStart(26, '0')}`,
  workspaceId: WORKSPACE,
  widgetId: 'wid_00000000000000000000000001',
  userId: null,
  identityType: 'anonymous',
  expiresAt: '2030-01-01T00:00:00.000Z',
});
const contactForm = { name: 'Contact', fields: [{ key: 'email', label: 'Email', type: 'email' as const, required: true }] };

/** What the conversation service answers a ticket request, set per test. */
let ticket: (request: { idempotencyKey: string }) => unknown;

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof AppError ? (e.reason ?? e.code) : String(e)),
  );

beforeAll(async () => {
  svc = await newTestService({
    name: 'forms',
    module: FormsModule,
    database: { schema: 'forms', entities: FORMS_ENTITIES, migrations: FORMS_MIGRATIONS },
    config: (env) => loadConfig(formsEnv, env),
  });
  svc.bus.answer(ConversationRpc.create, (request) => ticket(request));
  forms = svc.get(FormsService);
  submissions = svc.get(SubmissionsService);
});

afterAll(() => svc?.close());

it('a form is made and changed at the clock’s time with the test’s ids; an Idempotency-Key retry answers the first form and audits it once', async () => {
  svc.clock.set('2026-06-01T08:00:00.000Z');
  const idempotency = { key: 'idem-forms-spec', requestHash: 'hash-a' };
  const form = await forms.create(WORKSPACE, contactForm, root, idempotency);
  expect(form).toMatchObject({ id: expect.stringMatching(/^frm_/), createdAt: '2026-06-01T08:00:00.000Z', updatedAt: '2026-06-01T08:00:00.000Z' });
  svc.clock.advance(60_000);
  expect(await forms.create(WORKSPACE, contactForm, root, idempotency)).toEqual(form);
  expect(await reasonOf(forms.create(WORKSPACE, { ...contactForm, name: 'Other' }, root, { ...idempotency, requestHash: 'hash-b' }))).toBe('idempotency_key_reused');

  const changed = await forms.update(form.id, { name: 'Contact us' }, root);
  expect(changed).toMatchObject({ name: 'Contact us', createdAt: '2026-06-01T08:00:00.000Z', updatedAt: '2026-06-01T08:01:00.000Z' });
  expect(await reasonOf(forms.update('form_00000000000000000000000000', { name: 'x' }, root))).toBe('form_not_found');
  const audit = await svc.query(`SELECT action FROM forms.audit_log WHERE target_id = $1 ORDER BY id`, [form.id]);
  expect(audit.map((a) => a.action)).toEqual(['form.created', 'form.updated']);
});

it('a submission opens its ticket under form:<submissionId>, completes at the clock’s time and is announced; the same clientSubmissionId answers it again', async () => {
  svc.clock.set('2026-06-02T08:00:00.000Z');
  const form = await forms.create(WORKSPACE, contactForm);
  ticket = (request) => ({ conversation: { id: 'conv_00000000000000000000000001' }, key: request.idempotencyKey });
  svc.clock.advance(1_000);
  const req = { session: session(1), visibleFormIds: [form.id], formId: form.id, values: { email: 'a@shop.example' }, clientSubmissionId: 'c-1' };
  const first = await submissions.submit(req);
  expect(first).toEqual({
    created: true,
    submission: { id: expect.stringMatching(/^sub_/), formId: form.id, conversationId: 'conv_00000000000000000000000001', createdAt: '2026-06-02T08:00:01.000Z' },
  });
  expect(svc.bus.sent.at(-1)).toMatchObject({ subject: ConversationRpc.create.subject, request: { idempotencyKey: `form:${first.submission.id}` } });
  expect(svc.bus.emitted).toContainEqual({
    subject: FormsEvents.submitted.subject,
    payload: expect.objectContaining({ submissionId: first.submission.id, at: '2026-06-02T08:00:01.000Z' }),
  });
  const [row] = await svc.query(`SELECT status, completed_at FROM forms.submissions WHERE id = $1`, [first.submission.id]);
  expect(row.status).toBe('completed');
  expect(new Date(row.completed_at).toISOString()).toBe('2026-06-02T08:00:01.000Z');

  expect(await submissions.submit(req)).toEqual({ created: false, submission: first.submission });
  expect(await reasonOf(submissions.submit({ ...req, values: { email: 'b@shop.example' } }))).toBe('client_submission_id_reused');
});

it('a ticket not confirmed (recoverable) keeps the reservation and its retry reuses it; a refusal drops it', async () => {
  svc.clock.set('2026-06-03T08:00:00.000Z');
  const form = await forms.create(WORKSPACE, contactForm);
  const req = { session: session(2), visibleFormIds: [form.id], formId: form.id, values: { email: 'c@shop.example' } };
  const keys: string[] = [];
  ticket = (request) => {
    keys.push(request.idempotencyKey);
    throw Errors.upstreamUnavailable();
  };
  expect(await reasonOf(submissions.submit(req))).toBe('upstream_unavailable');
  const pending = await svc.query(`SELECT id, status FROM forms.submissions WHERE session_id = $1`, [req.session.sessionId]);
  expect(pending).toEqual([{ id: expect.stringMatching(/^sub_/), status: 'pending' }]);

  ticket = (request) => {
    keys.push(request.idempotencyKey);
    return { conversation: { id: 'conv_00000000000000000000000002' } };
  };
  const retried = await submissions.submit(req);
  expect(retried.submission.id).toBe(pending[0].id);
  expect(keys).toEqual([`form:${pending[0].id}`, `form:${pending[0].id}`]);

  const refused = { ...req, session: session(3) };
  ticket = () => {
    throw Errors.validation([{ field: 'body', reason: 'refused' }]);
  };
  expect(await reasonOf(submissions.submit(refused))).toBe('invalid_fields');
  expect(await svc.query(`SELECT id FROM forms.submissions WHERE session_id = $1`, [refused.session.sessionId])).toEqual([]);
});
