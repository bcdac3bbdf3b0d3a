import { createTestWidget, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';

const stack = testStack();
const now = () => Math.floor(Date.now() / 1000);

/** Issue 13: an identity JWT's exp must be a real date within IDENTITY_TOKEN_MAX_LIFETIME_SECONDS (default 24 h). */
describe('identity token lifetime', () => {
  let widget: TestWidget;
  beforeAll(async () => {
    widget = await createTestWidget(stack);
  });

  const identify = async (exp: number) => {
    const { token } = await startAnonymous(widget);
    return widget.api.post('/sessions/identify', { token: await signIdentity(widget, { exp }) }, { token });
  };

  it.each([
    ['beyond the JavaScript date range', 1e15, 'claim_invalid_exp'],
    ['not an integer', now() + 600.5, 'claim_invalid_exp'],
    ['in the year 9999', 253402300799, 'lifetime_too_long'],
    ['two days ahead', now() + 2 * 86400, 'lifetime_too_long'],
  ])('exp %s → 401 invalid_token', async (_what, exp, reason) => {
    const res = await identify(exp);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'invalid_token', reason });
    expect(res.headers.get('x-request-id')).toBe(res.body.error.requestId);
  });

  it('exp within the maximum lifetime → identified', async () => {
    expect((await identify(now() + 23 * 3600)).status).toBe(200);
  });
});
