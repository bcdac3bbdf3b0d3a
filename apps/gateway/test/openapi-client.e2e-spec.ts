import { recordSensitive, signIdentity, testStack, TestWidget } from '@widget/testing';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ROUTE_LIST } from '@widget/contracts';
import type { Middleware } from 'openapi-fetch';
import ts from 'typescript';
import { FlowContext, operatorFlow, operatorSetup, visitorFlow } from './contract/flows';

/**
 * The contract spec (issue 24): the served OpenAPI documents are the only
 * description a client gets, so a client generated from them must work.
 *
 * 1. openapi-typescript generates types from GET /widget/v1/openapi.json and
 *    /admin/v1/openapi.json into contract/generated/.
 * 2. contract/flows.ts (a visitor flow and an operator flow written against
 *    those types with openapi-fetch) must pass `tsc --strict`: a reply field
 *    the document leaves out, or types otherwise, is a type error.
 * 3. Both flows run against the stack, and every reply is checked against the
 *    document with ajv: an undocumented status, a field the schema does not
 *    describe (closed replies are additionalProperties: false), or a missing
 *    or mistyped one fails the spec.
 */
const stack = testStack();
const execFileAsync = promisify(execFile);
const REPO = resolve(__dirname, '..', '..', '..');
const CONTRACT = join(__dirname, 'contract');
const ORIGIN = 'https://contract.example.com';

/** Routes the flows do not call, and why; every other route of the table must be called (a new route needs its step). */
const NOT_IN_THE_FLOWS: Record<string, string> = {
  'widget GET /openapi.json': 'the document itself, fetched above to generate the client',
  'admin GET /openapi.json': 'the document itself, fetched above to generate the client',
  'admin GET /auth/oidc/start': 'a browser redirect to an OpenID provider (apps/gateway/test/oidc.e2e-spec.ts)',
  'admin GET /auth/oidc/callback': "the provider's redirect back (apps/gateway/test/oidc.e2e-spec.ts)",
};

type Api = 'widget' | 'admin';
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
}

const documents = {} as Record<Api, Document>;

async function generateClientTypes(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  for (const api of ['widget', 'admin'] as const) {
    const res = await fetch(`${stack.baseUrl}/${api}/v1/openapi.json`);
    expect(res.status).toBe(200);
    documents[api] = (await res.json()) as Document;
    const input = join(dir, `${api}.json`);
    writeFileSync(input, JSON.stringify(documents[api]));
    // The CLI, as a project using the document would run it (openapi-typescript's API is an ES module).
    await execFileAsync(process.execPath, [join(REPO, 'node_modules/openapi-typescript/bin/cli.js'), input, '-o', join(CONTRACT, 'generated', `${api}.ts`)]);
  }
}

/** `tsc --strict` over the flows and the generated types, through the compiler's API: the diagnostics, formatted. */
function typeErrors(file: string): string {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    lib: ['lib.es2022.d.ts'],
  };
  const program = ts.createProgram([file], options);
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => REPO, getNewLine: () => '\n' };
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host);
}

/** Checks every reply against the document; what it saw and what was wrong, for the spec to assert. */
function documentChecker() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();
  const validator = (api: Api, schema: object): ValidateFunction => {
    const key = `${api} ${JSON.stringify(schema)}`;
    let validate = validators.get(key);
    if (!validate) {
      // `#/components/schemas/…` resolves against the compiled schema's root: give it the document's components.
      validate = ajv.compile({ ...schema, components: documents[api].components });
      validators.set(key, validate);
    }
    return validate;
  };
  const seen: string[] = [];
  const problems: string[] = [];
  const middleware: Middleware = {
    async onResponse({ request, response, schemaPath }) {
      const api: Api = new URL(request.url).pathname.startsWith('/admin/v1/') ? 'admin' : 'widget';
      const method = request.method.toLowerCase();
      const label = `${api} ${request.method} ${schemaPath} ${response.status}`;
      seen.push(label);
      const operation = documents[api].paths[schemaPath]?.[method];
      const documented = operation?.responses[String(response.status)];
      if (!documented) return void problems.push(`${label}: the document has no such response`);
      const text = await response.clone().text();
      const json = documented.content?.['application/json'];
      if (!json) {
        // A file's bytes (`*/*`), or no body at all (204, 302).
        if (!documented.content?.['*/*'] && text !== '') problems.push(`${label}: a body where the document describes none: ${text.slice(0, 200)}`);
        return;
      }
      if (!/^application\/json/.test(response.headers.get('content-type') ?? '')) problems.push(`${label}: content-type ${response.headers.get('content-type')}`);
      const body = JSON.parse(text);
      recordSensitive(body?.token, body?.secret, body?.inviteToken);
      const validate = validator(api, json.schema);
      if (!validate(body)) {
        const why = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`);
        problems.push(`${label}: ${why.join('; ')} — ${text.slice(0, 300)}`);
      }
    },
  };
  return { middleware, seen, problems };
}

describe('a client generated from the OpenAPI documents (openapi-typescript + openapi-fetch)', () => {
  beforeAll(async () => {
    await generateClientTypes();
  }, 120_000);

  it('compiles the visitor and operator flows with tsc --strict', () => {
    expect(typeErrors(join(CONTRACT, 'flows.ts'))).toBe('');
  }, 120_000);

  it('runs both flows against the stack, every reply and status as the documents describe', async () => {
    const checker = documentChecker();
    const ctx: FlowContext = {
      baseUrl: stack.baseUrl,
      origin: ORIGIN,
      adminKey: stack.adminKey,
      check: checker.middleware,
      signIdentity: (widget, sub) => signIdentity(widget as TestWidget, { sub }, widget.secret),
    };
    const setup = await operatorSetup(ctx);
    const trail = await visitorFlow(ctx, setup);
    await operatorFlow(ctx, setup, trail);

    expect(checker.problems).toEqual([]);
    // The statuses beside the usual one were met, and checked, too.
    expect(checker.seen).toEqual(
      expect.arrayContaining([
        'widget POST /sessions/anonymous 201',
        'widget POST /sessions/anonymous 200',
        'widget POST /conversations 201',
        'widget POST /conversations 200',
        'widget POST /conversations/{id}/messages 201',
        'widget POST /conversations/{id}/messages 200',
        'widget POST /conversations/{id}/escalate 201',
        'widget POST /conversations/{id}/escalate 200',
        'widget POST /forms/{id}/submissions 201',
        'widget POST /forms/{id}/submissions 200',
        'widget POST /events 202',
        'widget POST /sessions/shutdown 204',
        'widget GET /conversations/{id} 404',
        'admin POST /conversations/{id}/typing 204',
        'admin GET /me 401',
        'widget GET /attachments/{id} 200',
        'admin POST /workspaces/{ws}/erasures 202',
      ]),
    );
    // Every route of the table was called and its reply checked, but those the flows cannot call.
    const called = new Set(checker.seen.map((s) => s.split(' ').slice(0, 3).join(' ')));
    const uncalled = ROUTE_LIST.map((r) => `${r.api} ${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`).filter((r) => !called.has(r));
    expect(uncalled.sort()).toEqual(Object.keys(NOT_IN_THE_FLOWS).map((r) => r.replace(/:(\w+)/g, '{$1}')).sort());
  }, 120_000);
});
