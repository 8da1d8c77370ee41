/**
 * `loadproof run script.js` for a k6 script (see detect.ts): the script is checked (imports, code
 * that cannot be made asynchronous), loaded in a realm of its own (realm/realm.ts: k6's globals
 * and modules, nothing of Node), and its `options`, exported functions and declared metrics
 * become the same PlanInput a TypeScript plan gives. Each worker thread loads the script again in
 * a realm of the thread's, so init code runs once per thread; setup() and teardown() run once, on
 * the main thread.
 */
import { basename, isAbsolute, relative } from 'node:path';
import { LoadproofError, type PlanIssue, PlanLoadError, PlanValidationError } from '../../errors.ts';
import { DEFAULT_THRESHOLDS } from '../../verdict/default-thresholds.ts';
import { parseDurationMs } from '../duration.ts';
import { readInputFile } from '../input-file.ts';
import type { PlanFileOptions } from '../load.ts';
import type { Flow, HttpConfigInput, PlanInput, ScenarioInput, ThresholdInput, Vu } from '../types.ts';
import { ScriptSyntaxError } from './ast.ts';
import { ABORT_METRIC, K6AbortError, type K6Context, runIn, state } from './context.ts';
import { drain, hasWork } from './event-loop.ts';
import { unsupportedImport } from './modules.ts';
import { type ConvertedOptions, convertOptions, type K6Scenario } from './options.ts';
import { createK6Realm } from './realm/realm.ts';
import { standaloneHttp } from './standalone-http.ts';
import { summaryHookOf } from './summary-hook.ts';
import { importsOf, lineOfOption, optionsLiteral, transformScript } from './transform.ts';

export interface K6Load {
  input: PlanInput;
  warnings: string[];
  /** The script's options as loadproof reads them (for `loadproof convert`). */
  options: ConvertedOptions;
}

type ScriptFn = (data?: unknown) => unknown;

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

const at = (line: number | undefined) => (line ? `line ${line}` : 'script');

/**
 * What is wrong with a script's options and exports (`exports`: each exported name, and whether
 * it is a function), as `run` and `convert` both report it.
 */
export function scriptIssues(
  converted: ConvertedOptions,
  literal: ReturnType<typeof optionsLiteral>,
  exports: Map<string, boolean>,
): PlanIssue[] {
  const issues: PlanIssue[] = converted.issues.map((i) => ({
    path: `options${i.path.map((p) => `.${p}`).join('')} (${at(lineOfOption(literal, i.path))})`,
    message: i.message,
  }));
  for (const [sname, sc] of Object.entries(converted.scenarios)) {
    if (exports.get(sc.exec)) continue;
    const what =
      sc.exec === 'default' ? 'no default function is exported' : `no exported function "${sc.exec}"`;
    issues.push({
      path: `options.scenarios.${sname}.exec (${at(lineOfOption(literal, ['scenarios', sname, 'exec']))})`,
      message: `${what} (the script exports: ${[...exports.keys()].join(', ') || 'nothing'})`,
    });
  }
  for (const k of ['setup', 'teardown', 'handleSummary'])
    if (exports.has(k) && !exports.get(k)) issues.push({ path: k, message: 'expected an exported function' });
  return issues;
}

/** Import and transform problems of the script itself, before anything is loaded. */
export function checkSource(source: string): PlanIssue[] {
  const issues: PlanIssue[] = [];
  try {
    for (const i of importsOf(source)) {
      const why = unsupportedImport(i.source);
      if (why) issues.push({ path: at(i.line), message: why });
    }
  } catch (e) {
    if (e instanceof ScriptSyntaxError) return [{ path: at(e.line), message: `syntax error: ${e.message}` }];
    throw e;
  }
  for (const i of transformScript(source).issues) issues.push({ path: at(i.line), message: i.message });
  return issues;
}

function flowOf(fn: ScriptFn, sc: K6Scenario, name: string): Flow {
  const env = { ...state.env, ...sc.env };
  const scenario = { name, executor: String(sc.scenario.executor), startTime: 0 };
  const copies = new WeakMap<Vu, unknown>();
  const offsetMs = parseDurationMs((sc.scenario.startTime as string | number | undefined) ?? 0) ?? 0;
  return async (vu) => {
    if (state.aborted) {
      // The abort threshold stops the run within a second; until then no VU busy-loops.
      await vu.sleep(0.25);
      throw new K6AbortError('test aborted');
    }
    if (!scenario.startTime) {
      scenario.startTime = Date.now();
      // The scenario starts offsetMs into the test: the earliest such estimate is the test's start.
      const start = scenario.startTime - offsetMs;
      if (state.testStart === undefined || start < state.testStart) state.testStart = start;
    }
    // Each VU gets its own copy of setup()'s data, as k6 gives each VU its own runtime.
    let data = copies.get(vu);
    if (data === undefined && vu.setup !== undefined) {
      data = structuredClone(vu.setup);
      copies.set(vu, data);
    }
    const ctx: K6Context = {
      stage: 'iteration',
      vu,
      http: vu.http,
      env,
      scenario,
      testStart: state.testStart,
    };
    await runIn(ctx, () => fn(data));
    // The iteration ends when the timers and promises it started have (event-loop.ts).
    if (hasWork(ctx)) await drain(ctx, vu.signal);
  };
}

export async function loadK6Script(file: string, options: PlanFileOptions): Promise<K6Load> {
  const source = readInputFile(file, 'script').toString('utf8');
  const name = shown(file);
  const sourceIssues = checkSource(source);
  if (sourceIssues.length) throw new PlanValidationError(sourceIssues, name);

  state.env = { ...process.env, ...options.env };
  state.metrics.clear();
  state.aborted = false;
  state.requestHeaders = undefined;
  state.testStart = undefined;
  let mod: Record<string, unknown>;
  try {
    mod = await createK6Realm({
      offline: options.offline ?? false,
      cachedOnly: options.modulesCached ?? false,
    }).loadScript(file);
  } catch (e) {
    if (e instanceof LoadproofError) throw e;
    throw new PlanLoadError(`${name}: the k6 script could not be loaded: ${(e as Error).message}`);
  }

  const converted = convertOptions(mod.options);
  const kinds = new Map(Object.entries(mod).map(([k, v]) => [k, typeof v === 'function']));
  const issues = scriptIssues(converted, optionsLiteral(source), kinds);
  if (issues.length) throw new PlanValidationError(issues, name);
  const fnOf = (exec: string) => (typeof mod[exec] === 'function' ? (mod[exec] as ScriptFn) : undefined);

  state.discardResponseBodies = converted.discardResponseBodies;
  state.batchLimits = { total: converted.batch, perHost: converted.batchPerHost };
  const scenarios: Record<string, ScenarioInput> = {};
  for (const [sname, sc] of Object.entries(converted.scenarios))
    scenarios[sname] = {
      ...sc.scenario,
      flow: flowOf(fnOf(sc.exec) as ScriptFn, sc, sname),
    } as ScenarioInput;

  const metrics: Record<string, 'trend' | 'counter' | 'rate' | 'gauge'> = Object.fromEntries(state.metrics);
  let thresholds: Record<string, ThresholdInput[]> | undefined = converted.thresholds;
  if (importsOf(source).some((i) => i.source === 'k6/execution')) {
    // exec.test.abort() counts here; this threshold stops the run at once, as k6 stops.
    metrics[ABORT_METRIC] = 'counter';
    // A threshold of the plan's own fails without data, a default one holds: `checks` is kept
    // only when the script checks something.
    const checks = /\bcheck\s*\(/.test(source);
    thresholds ??= Object.fromEntries(
      DEFAULT_THRESHOLDS.filter((t) => checks || t.key !== 'checks').map((t) => [t.key, [t.expression]]),
    );
    thresholds = { ...thresholds, [ABORT_METRIC]: [{ threshold: 'count<1', abortOnFail: true }] };
  }
  const setup = mod.setup as ScriptFn | undefined;
  const teardown = mod.teardown as ScriptFn | undefined;
  const lifecycle = (stage: 'setup' | 'teardown'): K6Context => ({
    stage,
    http: standaloneHttp,
    env: state.env,
  });
  const input: PlanInput = {
    name: basename(file),
    target: targetOf(source),
    headers: converted.headers,
    ...httpConfigOf(converted),
    scenarios,
    metrics,
    ...(thresholds ? { thresholds } : {}),
    // k6's defaults are 60s, as loadproof's: only a time of the script's own is passed on.
    ...(converted.setupTimeout !== '60s' ? { setupTimeout: converted.setupTimeout } : {}),
    ...(converted.teardownTimeout !== '60s' ? { teardownTimeout: converted.teardownTimeout } : {}),
    ...(converted.validity ? { validity: converted.validity } : {}),
    ...(setup
      ? {
          setup: async () => {
            const ctx = lifecycle('setup');
            const data = await runIn(ctx, () => setup());
            if (hasWork(ctx)) await drain(ctx);
            // k6 hands setup()'s result to VUs as JSON.
            return data === undefined ? undefined : JSON.parse(JSON.stringify(data));
          },
        }
      : {}),
    ...(teardown
      ? {
          teardown: async (data: unknown) => {
            const ctx = lifecycle('teardown');
            await runIn(ctx, () => teardown(data));
            if (hasWork(ctx)) await drain(ctx);
          },
        }
      : {}),
  };
  const summary = summaryHookOf(mod, name);
  if (summary.hook) input.handleSummary = summary.hook;
  const warnings = converted.ignored
    .filter((k) => !(summary.hook && k === 'summaryTrendStats'))
    .map((k) => `${name}: options.${k} only shapes k6's own summary: ignored`);
  return {
    input,
    warnings: [...converted.warnings.map((w) => `${name}: ${w}`), ...warnings, ...summary.warnings],
    options: converted,
  };
}

/** The plan's `http` key from k6's options (for `run` and for `convert`). */
export function httpConfigOf(converted: ConvertedOptions): { http: HttpConfigInput } {
  // Requests are named by their URL, as k6 names them (its `name` tag).
  const http: HttpConfigInput = { names: 'url' };
  if (converted.insecureSkipTLSVerify) http.insecureSkipTLSVerify = true;
  if (converted.maxRedirects !== undefined) http.redirects = converted.maxRedirects;
  // Checked by the plan's validation, which names what is wrong under http.tls.
  if (converted.tls !== undefined) http.tls = converted.tls as HttpConfigInput['tls'];
  return { http };
}

/** The target a report names: the first absolute URL the script writes, else localhost. */
export function targetOf(source: string): string {
  const m = /https?:\/\/[A-Za-z0-9.\-_[\]:]+/.exec(source);
  if (m) {
    try {
      return new URL(m[0]).origin;
    } catch {}
  }
  return 'http://localhost';
}
