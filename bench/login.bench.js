/**
 * Operator sign-in (SPEC §14): the time of a login with a wrong password
 * beside one with an unknown email, interleaved one after the other so load
 * from a neighbour falls on both alike. They must not differ by more than
 * noise: an unknown email is checked against a decoy argon2id hash. Also the
 * time of a good login (argon2id verify + a token row).
 */
const { createTeamWorkspace, OperatorApi } = require('@widget/testing');
const { summarize } = require('./stats');

const ROUNDS = Number(process.env.BENCH_LOGIN_ROUNDS ?? 60);

exports.name = 'login';
exports.run = async ({ stack, log }) => {
  const team = await createTeamWorkspace(stack);
  const api = new OperatorApi(stack.baseUrl, undefined);
  const timed = async (body, status) => {
    const started = process.hrtime.bigint();
    const res = await api.post('/auth/login', body);
    if (res.status !== status) throw new Error(`login answered ${res.status}, expected ${status}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const wrong = [];
  const unknown = [];
  const good = [];
  for (let i = 0; i < ROUNDS; i++) {
    wrong.push(await timed({ email: team.agent.email, password: `wrong-password-${i}` }, 401));
    unknown.push(await timed({ email: `nobody-${i}@team.example.com`, password: `wrong-password-${i}` }, 401));
    good.push(await timed({ email: team.agent.email, password: team.agent.password }, 200));
  }
  const figures = { rounds: ROUNDS, wrongPasswordMs: summarize(wrong), unknownEmailMs: summarize(unknown), goodLoginMs: summarize(good) };
  figures.p50RatioUnknownToWrong = Math.round((figures.unknownEmailMs.p50 / figures.wrongPasswordMs.p50) * 100) / 100;
  log(JSON.stringify(figures));
  return figures;
};
