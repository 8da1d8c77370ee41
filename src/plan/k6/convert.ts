/**
 * `loadproof convert script.js` for a k6 script: the equivalent TypeScript plan, in loadproof's
 * own API. The script is read, never run (static-load.ts: same checks and errors as `loadproof
 * run`), so the plan's scenarios, thresholds, custom metrics and headers are the ones a run of
 * the script would get; its code is rewritten by convert-code.ts, and each scenario's flow calls
 * the function the scenario names in `exec`, with the scenario's `env`, as k6 does.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PlanLoadError, PlanValidationError, UsageError } from '../../errors.ts';
import { Code, print } from '../artillery/convert.ts';
import { readInputFile } from '../input-file.ts';
import type { PlanFileOptions } from '../load.ts';
import { ScriptSyntaxError } from './ast.ts';
import { ABORT_METRIC } from './context.ts';
import { type ConvertedFunction, convertCode } from './convert-code.ts';
import { looksLikeK6 } from './detect.ts';
import { readK6Script } from './static-load.ts';
import { importsOf } from './transform.ts';

export interface K6ConvertOptions extends PlanFileOptions {
  /** Where the plan will be written: relative paths are written from its folder (default: the script's). */
  outFile?: string;
}

export interface K6Converted {
  source: string;
  /** What the plan does not do as the script does (also TODO comments in the source), by line. */
  warnings: string[];
}

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** `fn(vu, vu.setup)` as far as the function takes them. */
function callOf(fn: ConvertedFunction, vu: string, data: string): string {
  const args = [...(fn.takesVu ? [vu] : []), ...(fn.params > 0 ? [data] : [])];
  return `${fn.local}(${args.join(', ')})`;
}

/** Runs `parse`; a syntax error in the script becomes a validation error naming its line. */
function syntaxErrorsNamed<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ScriptSyntaxError)
      throw new PlanValidationError(
        [{ path: `line ${e.line}`, message: `syntax error: ${e.message}` }],
        name,
      );
    throw e;
  }
}

export async function convertK6Script(file: string, options: K6ConvertOptions = {}): Promise<K6Converted> {
  const abs = resolve(file);
  const name = shown(abs);
  if (!existsSync(abs)) throw new PlanLoadError(`script not found: ${file}`);
  const source = readInputFile(abs, 'script').toString('utf8');
  syntaxErrorsNamed(name, () => importsOf(source));
  if (!looksLikeK6(source))
    throw new UsageError(
      `${name}: not a k6 script (it imports neither k6 nor a k6/... module, and exports neither a default function nor options); convert reads k6 scripts (.js, .mjs) and Artillery scripts (.yml, .yaml)`,
    );
  const load = readK6Script(abs, name, options);
  const outDir = options.outFile ? dirname(resolve(options.outFile)) : dirname(abs);
  let rel = relative(outDir, abs).split(sep).join('/');
  if (!rel.startsWith('.') && !isAbsolute(rel)) rel = `./${rel}`;
  // Far apart (or on another drive), the script is named by its absolute path.
  const far = isAbsolute(rel) || rel.startsWith('../..');
  const scriptUrl = far
    ? `new URL(${print(pathToFileURL(abs).href, '')})`
    : `new URL(${print(rel, '')}, import.meta.url)`;
  const converted = syntaxErrorsNamed(name, () => convertCode(source, scriptUrl));
  const { code, exports } = converted;
  const todos = [...converted.todos];
  const o = load.options;
  const note = (what: string) => todos.push(what);
  if (o.discardResponseBodies)
    note(
      'options.discardResponseBodies: responses keep their bodies in a plan, up to http.maxBodyBytes (64 MiB); add discardBody: true to a request to read its body without keeping it',
    );
  if (o.batch !== 20 || o.batchPerHost !== 6)
    note(
      'options.batch and batchPerHost: vu.http.batch sends up to 6 at once per origin (http.connections in the plan)',
    );
  if (exports.has('handleSummary'))
    note(
      "handleSummary(data) is given k6's summary data; a plan's handleSummary is given results.json: rewrite it and add it to the plan",
    );

  const scenarios: Record<string, unknown> = {};
  for (const [sname, sc] of Object.entries(o.scenarios)) {
    let fn = exports.get(sc.exec);
    if (!fn) {
      // Exported some other way (`export const browse = wrap(...)`): called as it is, without a VU.
      fn = { local: sc.exec === 'default' ? 'main' : sc.exec, takesVu: false, params: 1 };
      note(
        `the function scenario ${sname} runs (${sc.exec}) is not a function written in the script: it is called without a VU`,
      );
    }
    const vu = Object.keys(sc.env).length ? `k6.withEnv(vu, ${print(sc.env, '      ')})` : 'vu';
    const call = callOf(fn, vu, exports.has('setup') ? 'k6.setupData(vu)' : 'vu.setup');
    const { tags, ...scenario } = sc.scenario as Record<string, unknown>;
    scenarios[sname] = {
      ...scenario,
      ...(tags && Object.keys(tags).length ? { tags } : {}),
      flow: new Code(call.includes('vu') ? `(vu) => ${call}` : `() => ${call}`),
    };
  }
  const input = load.input;
  const metrics = Object.fromEntries(Object.entries(input.metrics ?? {}).filter(([k]) => k !== ABORT_METRIC));
  const plan: Record<string, unknown> = { name: input.name, target: input.target };
  if (input.headers && Object.keys(input.headers).length) plan.headers = input.headers;
  if (input.http) plan.http = input.http;
  if (Object.keys(metrics).length) plan.metrics = metrics;
  plan.scenarios = scenarios;
  if (o.thresholds) plan.thresholds = o.thresholds;
  if (input.setupTimeout !== undefined) plan.setupTimeout = input.setupTimeout;
  if (input.teardownTimeout !== undefined) plan.teardownTimeout = input.teardownTimeout;
  if (o.validity) plan.validity = o.validity;
  const setup = exports.get('setup');
  if (setup)
    plan.setup = new Code(
      setup.takesVu ? `(ctx) => ${callOf(setup, 'k6.lifecycleVu(ctx)', '')}` : `() => ${setup.local}()`,
    );
  const teardown = exports.get('teardown');
  if (teardown)
    plan.teardown = new Code(
      teardown.takesVu
        ? `(data, ctx) => ${callOf(teardown, 'k6.lifecycleVu(ctx)', 'data')}`
        : `(data) => ${callOf(teardown, '', 'data')}`,
    );
  const planText = `export default definePlan(${print(plan, '')});`;

  const header = [
    `// Converted by \`loadproof convert\` from ${far ? abs : rel.replace(/^\.\//, '')} (a k6 script).`,
    "// Its code is in loadproof's vu API; the k6 helpers (k6.json, k6.params, ...) are documented in loadproof's docs/k6-scripts.md.",
    ...todos.slice(converted.todos.length).map((t) => `// TODO(loadproof convert): ${t}`),
  ];
  const all = `${code}\n${planText}`;
  const imports = ['definePlan'];
  if (/\bk6\./.test(all)) imports.push('k6');
  if (/: Vu\b/.test(all)) imports.push('type Vu');
  const text = [
    ...header,
    `import { ${imports.join(', ')} } from 'loadproof';`,
    '',
    code,
    '',
    planText,
    '',
  ].join('\n');
  return { source: text, warnings: [...load.warnings, ...todos.map((t) => `${name}: ${t}`)] };
}
