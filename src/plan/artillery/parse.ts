/**
 * Validates an Artillery script (as parsed from YAML) into a `ScriptModel`. Every problem is
 * named by its path (`config.phases[1].arrivalRate: expected a number`) and all are reported at
 * once. What loadproof does not do is an error when it would change the requests sent
 * (WebSocket steps, other engines, xpath captures) and a warning when it would not (reporting
 * plugins, `mode`, `tls`): never silently ignored.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseDurationMs } from '../duration.ts';
import { LIMITS, MAX_DURATION_TEXT, mixCycleLength } from '../limits.ts';
import { scalarName } from '../value-name.ts';
import type { CaptureSpec } from './capture.ts';
import { EXPECTATION_TYPES } from './expectations.ts';
import { ExpressionError, parseExpression } from './expression.ts';
import { compileJsonPath, JsonPathError } from './jsonpath.ts';
import type {
  CheckModel,
  EnsureModel,
  PayloadModel,
  PhaseModel,
  RequestModel,
  ScenarioModel,
  ScriptModel,
  StepModel,
} from './model.ts';
import { TEMPLATE_FUNCTIONS, template, templateFunctionsIn, templateSyntaxProblem } from './template.ts';

export interface ParseOptions {
  file: string;
  environment?: string;
  /** Environment for `{{ $env.X }}` in config (process.env and --env). */
  env: Record<string, string | undefined>;
}

export interface ParseIssue {
  path: string;
  message: string;
}

export interface ParseResult {
  model?: ScriptModel;
  issues: ParseIssue[];
  warnings: ParseIssue[];
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'] as const;
const WS_STEPS = ['send', 'emit', 'connect', 'ws', 'socketio', 'wait', 'reconnect'];
const TEMPLATE_FUNCS = new Set<string>([...TEMPLATE_FUNCTIONS, '$template']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function typeName(v: unknown): string {
  return Array.isArray(v) ? 'a list' : scalarName(v);
}

class Context {
  readonly issues: ParseIssue[] = [];
  readonly warnings: ParseIssue[] = [];
  /** config keys that came from the chosen environment, reported under its path. */
  envKeys = new Set<string>();
  environment?: string;

  private where(path: string): string {
    const m = /^config\.([^.[]+)(.*)$/.exec(path);
    if (m && this.environment && this.envKeys.has(m[1] as string))
      return `config.environments.${this.environment}.${m[1]}${m[2]}`;
    return path;
  }
  error(path: string, message: string): void {
    this.issues.push({ path: this.where(path), message });
  }
  warn(path: string, message: string): void {
    this.warnings.push({ path: this.where(path), message });
  }
  unknownKeys(path: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (allowed.includes(k)) continue;
      const hint = allowed.find((a) => a.toLowerCase() === k.toLowerCase());
      this.error(`${path ? `${path}.` : ''}${k}`, `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
  number(
    path: string,
    v: unknown,
    opts: { min?: number; max?: number; integer?: boolean; positive?: boolean } = {},
  ) {
    const n = typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      this.error(path, `expected ${opts.integer ? 'an integer' : 'a number'}, got ${typeName(v)}`);
      return undefined;
    }
    let problem: string | undefined;
    if (opts.integer && !Number.isInteger(n)) problem = `expected an integer, got ${n}`;
    else if (opts.positive && n <= 0) problem = `must be greater than 0, got ${n}`;
    else if (opts.min !== undefined && n < opts.min) problem = `must be at least ${opts.min}, got ${n}`;
    else if (opts.max !== undefined && n > opts.max) problem = `must be at most ${opts.max}, got ${n}`;
    if (problem) {
      this.error(path, problem);
      return undefined;
    }
    return n;
  }
  seconds(path: string, v: unknown): number | undefined {
    const ms = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) * 1000 : parseDurationMs(v);
    if (ms === undefined || !Number.isFinite(ms)) {
      this.error(path, `expected a number of seconds or a duration like "30s" or "5m", got ${typeName(v)}`);
      return undefined;
    }
    if (ms > LIMITS.durationMs) {
      this.error(path, `must be at most ${MAX_DURATION_TEXT}, got ${typeName(v)}`);
      return undefined;
    }
    return ms / 1000;
  }
  string(path: string, v: unknown): string | undefined {
    if (typeof v !== 'string') {
      this.error(path, `expected a string, got ${typeName(v)}`);
      return undefined;
    }
    return v;
  }
  boolean(path: string, v: unknown): boolean | undefined {
    if (typeof v !== 'boolean') {
      this.error(path, `expected true or false, got ${typeName(v)}`);
      return undefined;
    }
    return v;
  }
  names(path: string, v: unknown): string[] {
    if (v === undefined) return [];
    const items = Array.isArray(v) ? v : [v];
    const out: string[] = [];
    items.forEach((x, i) => {
      const p = Array.isArray(v) ? `${path}[${i}]` : path;
      if (typeof x !== 'string' || x === '') this.error(p, `expected a function name, got ${typeName(x)}`);
      else if (x.includes('{{')) this.error(p, 'templated function names are not supported');
      else out.push(x);
    });
    return out;
  }
  object(path: string, v: unknown): Record<string, unknown> | undefined {
    if (!isObject(v)) {
      this.error(path, `expected an object, got ${typeName(v)}`);
      return undefined;
    }
    return v;
  }
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? mergeDeep(b, v) : v;
  }
  return out;
}

function checkTemplateFunctions(c: Context, path: string, value: unknown): void {
  for (const f of templateFunctionsIn(value)) {
    if (!TEMPLATE_FUNCS.has(f))
      c.error(path, `unknown template function ${f}() (available: $randomNumber, $randomString)`);
  }
}

/** Every string (and key) under `value` whose templates cannot be rendered, named by its path. */
function checkTemplateSyntax(c: Context, path: string, value: unknown): void {
  if (typeof value === 'string') {
    const problem = templateSyntaxProblem(value);
    if (problem) c.error(path, problem);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) checkTemplateSyntax(c, `${path}[${i}]`, v);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const problem = templateSyntaxProblem(k);
      if (problem) c.error(`${path}.${k}`, `in the key: ${problem}`);
      checkTemplateSyntax(c, `${path}.${k}`, v);
    }
  }
}

// ---------------------------------------------------------------- config

function phasesOf(c: Context, v: unknown): PhaseModel[] {
  if (!Array.isArray(v) || v.length === 0) {
    c.error('config.phases', `expected a list of phases ({ duration, arrivalRate }), got ${typeName(v)}`);
    return [];
  }
  const out: PhaseModel[] = [];
  v.forEach((raw, i) => {
    const p = `config.phases[${i}]`;
    const ph = c.object(p, raw);
    if (!ph) return;
    c.unknownKeys(p, ph, ['duration', 'arrivalRate', 'rampTo', 'arrivalCount', 'pause', 'maxVusers', 'name']);
    const name = ph.name === undefined ? undefined : c.string(`${p}.name`, ph.name);
    if (ph.pause !== undefined) {
      for (const k of ['duration', 'arrivalRate', 'rampTo', 'arrivalCount', 'maxVusers'])
        if (ph[k] !== undefined) c.error(`${p}.${k}`, 'a pause phase has only pause (and name)');
      const s = c.seconds(`${p}.pause`, ph.pause);
      if (s !== undefined) out.push({ path: p, ...(name ? { name } : {}), durationSec: s, pause: true });
      return;
    }
    const durationSec = ph.duration === undefined ? undefined : c.seconds(`${p}.duration`, ph.duration);
    if (ph.duration === undefined) c.error(`${p}.duration`, 'expected the phase duration (seconds)');
    else if (durationSec !== undefined && durationSec <= 0)
      c.error(`${p}.duration`, 'must be greater than 0');
    const maxVusers =
      ph.maxVusers === undefined
        ? undefined
        : c.number(`${p}.maxVusers`, ph.maxVusers, { integer: true, positive: true, max: LIMITS.vus });
    let phase: PhaseModel | undefined;
    if (ph.arrivalCount !== undefined) {
      if (ph.arrivalRate !== undefined)
        c.error(`${p}.arrivalCount`, 'use either arrivalRate or arrivalCount, not both');
      if (ph.rampTo !== undefined) c.error(`${p}.rampTo`, 'rampTo goes with arrivalRate, not arrivalCount');
      const n = c.number(`${p}.arrivalCount`, ph.arrivalCount, {
        integer: true,
        min: 0,
        max: LIMITS.iterations,
      });
      if (n !== undefined && durationSec && n / durationSec > LIMITS.ratePerSec)
        c.error(
          `${p}.arrivalCount`,
          `must start at most ${LIMITS.ratePerSec} virtual users per second, got ${n} in ${durationSec} s`,
        );
      if (n !== undefined && durationSec) phase = { path: p, durationSec, arrivalCount: n, pause: n === 0 };
    } else if (ph.arrivalRate !== undefined) {
      const rate = c.number(`${p}.arrivalRate`, ph.arrivalRate, { min: 0, max: LIMITS.ratePerSec });
      const rampTo =
        ph.rampTo === undefined
          ? undefined
          : c.number(`${p}.rampTo`, ph.rampTo, { min: 0, max: LIMITS.ratePerSec });
      if (rate !== undefined && durationSec && (ph.rampTo === undefined || rampTo !== undefined)) {
        phase = {
          path: p,
          durationSec,
          arrivalRate: rate,
          ...(rampTo !== undefined ? { rampTo } : {}),
          pause: rate === 0 && (rampTo ?? 0) === 0,
        };
      }
    } else if (ph.rampTo !== undefined) {
      c.error(`${p}.arrivalRate`, 'rampTo needs arrivalRate, the rate to start from');
    } else {
      c.error(p, 'expected arrivalRate (with rampTo to ramp), arrivalCount, or pause');
    }
    if (phase) {
      if (name) phase.name = name;
      if (maxVusers !== undefined) phase.maxVusers = maxVusers;
      out.push(phase);
    }
  });
  const totalSec = out.reduce((a, ph) => a + ph.durationSec, 0);
  if (totalSec * 1000 > LIMITS.durationMs)
    c.error('config.phases', `the phases last ${totalSec} s together; at most ${MAX_DURATION_TEXT}`);
  return out;
}

function payloadsOf(c: Context, v: unknown, dir: string): PayloadModel[] {
  if (v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  const out: PayloadModel[] = [];
  items.forEach((raw, i) => {
    const p = Array.isArray(v) ? `config.payload[${i}]` : 'config.payload';
    const pl = c.object(p, raw);
    if (!pl) return;
    c.unknownKeys(p, pl, [
      'path',
      'fields',
      'order',
      'skipHeader',
      'delimiter',
      'cast',
      'skipEmptyLines',
      'loadAll',
      'name',
    ]);
    const file = c.string(`${p}.path`, pl.path);
    let fields: string[] | undefined;
    if (pl.fields !== undefined) {
      if (!Array.isArray(pl.fields) || pl.fields.some((f) => typeof f !== 'string'))
        c.error(`${p}.fields`, `expected a list of variable names, got ${typeName(pl.fields)}`);
      else fields = pl.fields as string[];
    }
    const loadAll = pl.loadAll === undefined ? false : c.boolean(`${p}.loadAll`, pl.loadAll);
    if (!loadAll && fields === undefined && pl.fields === undefined)
      c.error(`${p}.fields`, 'expected the variable names of the columns, in order');
    const name = pl.name === undefined ? undefined : c.string(`${p}.name`, pl.name);
    if (loadAll && name === undefined)
      c.error(`${p}.name`, 'loadAll needs a name: the variable to hold every row');
    if (pl.order !== undefined && pl.order !== 'random' && pl.order !== 'sequence')
      c.error(`${p}.order`, `expected "random" or "sequence", got ${typeName(pl.order)}`);
    if (pl.delimiter !== undefined && (typeof pl.delimiter !== 'string' || pl.delimiter.length !== 1))
      c.error(`${p}.delimiter`, `expected one character, got ${typeName(pl.delimiter)}`);
    for (const k of ['skipHeader', 'cast', 'skipEmptyLines'])
      if (pl[k] !== undefined) c.boolean(`${p}.${k}`, pl[k]);
    if (pl.skipEmptyLines === false)
      c.warn(`${p}.skipEmptyLines`, 'empty lines are always skipped; false is not supported');
    if (file === undefined) return;
    out.push({
      path: p,
      file,
      absFile: isAbsolute(file) ? file : resolve(dir, file),
      ...(fields ? { fields } : {}),
      ...(pl.order === 'sequence' ? { order: 'sequence' as const } : {}),
      ...(pl.skipHeader === true ? { skipHeader: true } : {}),
      ...(typeof pl.delimiter === 'string' && pl.delimiter !== ',' ? { delimiter: pl.delimiter } : {}),
      ...(pl.cast === false ? { cast: false } : {}),
      ...(loadAll ? { loadAll: true } : {}),
      ...(name !== undefined ? { name } : {}),
    });
  });
  return out;
}

function ensureOf(c: Context, v: unknown, path: string, into: EnsureModel): void {
  if (v === undefined) return;
  const e = c.object(path, v);
  if (!e) return;
  for (const [k, val] of Object.entries(e)) {
    const p = `${path}.${k}`;
    if (['p95', 'p99', 'max', 'min', 'median'].includes(k)) {
      const n = c.number(p, val);
      if (n !== undefined) into.legacy.push({ key: k, value: n, path: p });
    } else if (k === 'maxErrorRate') {
      const n = c.number(p, val, { min: 0 });
      if (n !== undefined) into.maxErrorRate = { value: n, path: p };
    } else if (k === 'thresholds') {
      if (!Array.isArray(val)) {
        c.error(p, `expected a list of { metric: value }, got ${typeName(val)}`);
        continue;
      }
      val.forEach((t, i) => {
        const tp = `${p}[${i}]`;
        if (!isObject(t) || Object.keys(t).length !== 1) {
          c.error(tp, `expected one { metric.name: value }, got ${typeName(t)}`);
          return;
        }
        const [metric, value] = Object.entries(t)[0] as [string, unknown];
        const n = c.number(`${tp}.${metric}`, value);
        if (n !== undefined) into.thresholds.push({ metric, value: n, path: tp });
      });
    } else if (k === 'conditions') {
      if (!Array.isArray(val)) {
        c.error(p, `expected a list of { expression, strict? }, got ${typeName(val)}`);
        continue;
      }
      val.forEach((cond, i) => {
        const cp = `${p}[${i}]`;
        const o = c.object(cp, cond);
        if (!o) return;
        c.unknownKeys(cp, o, ['expression', 'strict']);
        const expression = c.string(`${cp}.expression`, o.expression);
        const strict = o.strict === undefined ? true : c.boolean(`${cp}.strict`, o.strict);
        if (expression !== undefined && strict !== undefined)
          into.conditions.push({ expression, strict, path: cp });
      });
    } else {
      c.error(p, 'unknown ensure key (use thresholds, conditions, maxErrorRate, p95, p99, max, min, median)');
    }
  }
}

function pluginsOf(c: Context, v: unknown, model: Pick<ScriptModel, 'expect' | 'ensure'>): void {
  if (v === undefined) return;
  const plugins = c.object('config.plugins', v);
  if (!plugins) return;
  for (const [name, conf] of Object.entries(plugins)) {
    const p = `config.plugins.${name}`;
    if (name === 'expect') {
      const o = conf === null ? {} : c.object(p, conf);
      if (!o) continue;
      model.expect = {};
      for (const [k, val] of Object.entries(o)) {
        if (k === 'expectDefault200' || k === 'reportFailuresAsErrors') {
          if (val === true || val === 'true') model.expect[k] = true;
          else if (val !== false && val !== 'false') c.error(`${p}.${k}`, 'expected true or false');
        } else if (k === 'outputFormat' || k === 'formatter')
          c.warn(`${p}.${k}`, 'ignored: expectations are recorded as checks in results.json and the reports');
        else if (k === 'useOnlyRequestNames') {
          // Only changes how Artillery prints failures.
        } else c.warn(`${p}.${k}`, 'option not supported, ignored');
      }
    } else if (name === 'ensure') {
      if (conf !== null && conf !== undefined) ensureOf(c, conf, p, model.ensure);
    } else if (name === 'metrics-by-endpoint') {
      c.warn(p, 'plugin not needed, ignored: loadproof reports every endpoint anyway');
    } else c.warn(p, 'plugin not supported, ignored');
  }
}

function checksOf(c: Context, v: unknown): CheckModel[] {
  if (v === undefined) return [];
  const lp = c.object('config.loadproof', v);
  if (!lp) return [];
  c.unknownKeys('config.loadproof', lp, ['checks']);
  if (lp.checks === undefined) return [];
  const checks = c.object('config.loadproof.checks', lp.checks);
  if (!checks) return [];
  const out: CheckModel[] = [];
  for (const [name, raw] of Object.entries(checks)) {
    const p = `config.loadproof.checks.${name}`;
    const o = c.object(p, raw);
    if (!o) continue;
    c.unknownKeys(p, o, ['sql', 'url', 'function', 'every', 'before', 'after', 'description']);
    const check: CheckModel = { path: p, name };
    if ((o.sql === undefined) === (o.function === undefined))
      c.error(
        p,
        'expected either sql (a query whose rows are violations) or function (a processor function)',
      );
    if (o.sql !== undefined) {
      const sql = c.string(`${p}.sql`, o.sql);
      if (sql !== undefined) check.sql = sql;
    }
    if (o.url !== undefined) {
      if (o.sql === undefined) c.error(`${p}.url`, 'url goes with sql');
      const url = c.string(`${p}.url`, o.url);
      if (url !== undefined) check.url = url;
    }
    if (o.function !== undefined) {
      const [fn] = c.names(`${p}.function`, o.function);
      if (fn !== undefined) check.function = fn;
    }
    if (o.every !== undefined) {
      const s = c.seconds(`${p}.every`, o.every);
      if (s !== undefined) check.every = typeof o.every === 'number' ? o.every : String(o.every);
    }
    for (const k of ['before', 'after'] as const) {
      if (o[k] !== undefined) {
        const b = c.boolean(`${p}.${k}`, o[k]);
        if (b !== undefined) check[k] = b;
      }
    }
    if (o.description !== undefined) {
      const d = c.string(`${p}.description`, o.description);
      if (d !== undefined) check.description = d;
    }
    out.push(check);
  }
  return out;
}

function headersOf(c: Context, path: string, v: unknown): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  const o = c.object(path, v);
  if (!o) return undefined;
  for (const [k, val] of Object.entries(o))
    if (val !== null && typeof val === 'object')
      c.error(`${path}.${k}`, `expected a value, got ${typeName(val)}`);
  return o;
}

function defaultsOf(c: Context, path: string, v: unknown, into: ScriptModel['defaults']): void {
  if (v === undefined) return;
  const d = c.object(path, v);
  if (!d) return;
  c.unknownKeys(path, d, ['headers', 'cookie', 'strictCapture', 'think']);
  const headers = headersOf(c, `${path}.headers`, d.headers);
  if (headers) into.headers = { ...into.headers, ...headers };
  if (d.cookie !== undefined) {
    const ck = c.object(`${path}.cookie`, d.cookie);
    if (ck) into.cookie = { ...into.cookie, ...ck };
  }
  if (d.strictCapture !== undefined) {
    const b = c.boolean(`${path}.strictCapture`, d.strictCapture);
    if (b !== undefined) into.strictCapture = b;
  }
  if (d.think !== undefined) {
    const t = c.object(`${path}.think`, d.think);
    if (t) {
      c.unknownKeys(`${path}.think`, t, ['jitter']);
      const j = jitterOf(c, `${path}.think.jitter`, t.jitter);
      if (j !== undefined) into.think = { jitter: j };
    }
  }
}

function jitterOf(c: Context, path: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(v)) return v.trim();
  c.error(path, `expected a percentage such as "20%", got ${typeName(v)}`);
  return undefined;
}

// ---------------------------------------------------------------- scenarios

function captureOf(c: Context, path: string, v: unknown): CaptureSpec[] {
  const items = Array.isArray(v) ? v : [v];
  const out: CaptureSpec[] = [];
  items.forEach((raw, i) => {
    const p = Array.isArray(v) ? `${path}[${i}]` : path;
    const o = c.object(p, raw);
    if (!o) return;
    for (const k of ['xpath', 'selector'])
      if (o[k] !== undefined)
        c.error(`${p}.${k}`, `${k} captures are not supported (use json, header or regexp)`);
    if (o.transform !== undefined) c.error(`${p}.transform`, 'capture transforms are not supported');
    c.unknownKeys(p, o, [
      'json',
      'header',
      'regexp',
      'as',
      'strict',
      'group',
      'flags',
      'xpath',
      'selector',
      'transform',
    ]);
    const kinds = ['json', 'header', 'regexp'].filter((k) => o[k] !== undefined);
    if (kinds.length !== 1) {
      if (o.xpath === undefined && o.selector === undefined)
        c.error(p, 'expected exactly one of json, header or regexp');
      return;
    }
    const kind = kinds[0] as 'json' | 'header' | 'regexp';
    const expr = c.string(`${p}.${kind}`, o[kind]);
    const as = c.string(`${p}.as`, o.as);
    if (expr === undefined || as === undefined) return;
    const spec = { [kind]: expr, as } as CaptureSpec;
    if (kind === 'json' && !expr.includes('{{')) {
      try {
        compileJsonPath(expr);
      } catch (e) {
        if (e instanceof JsonPathError) c.error(`${p}.json`, e.message);
        else throw e;
      }
    }
    if (kind === 'regexp' && !expr.includes('{{')) {
      try {
        new RegExp(expr, typeof o.flags === 'string' ? o.flags : undefined);
      } catch (e) {
        c.error(`${p}.regexp`, (e as Error).message);
      }
    }
    if (o.strict !== undefined) {
      const b = c.boolean(`${p}.strict`, o.strict);
      if (b !== undefined) spec.strict = b;
    }
    if (o.group !== undefined) {
      if (typeof o.group !== 'string' && typeof o.group !== 'number')
        c.error(`${p}.group`, 'expected a group name or number');
      else spec.group = o.group;
    }
    if (o.flags !== undefined) {
      const f = c.string(`${p}.flags`, o.flags);
      if (f !== undefined) spec.flags = f;
    }
    out.push(spec);
  });
  return out;
}

function expectOf(c: Context, path: string, v: unknown): RequestModel['expect'] {
  const entries: [string, unknown, string][] = [];
  if (Array.isArray(v)) {
    v.forEach((o, i) => {
      if (!isObject(o) || Object.keys(o).length !== 1)
        c.error(`${path}[${i}]`, 'expected one { type: value }');
      else {
        const [k, val] = Object.entries(o)[0] as [string, unknown];
        entries.push([k, val, `${path}[${i}].${k}`]);
      }
    });
  } else if (isObject(v)) {
    for (const [k, val] of Object.entries(v)) entries.push([k, val, `${path}.${k}`]);
  } else {
    c.error(path, `expected a list of expectations, got ${typeName(v)}`);
    return undefined;
  }
  for (const [type, val, p] of entries) {
    if (!(EXPECTATION_TYPES as readonly string[]).includes(type)) {
      c.error(p, `expectation "${type}" is not supported (supported: ${EXPECTATION_TYPES.join(', ')})`);
    } else if (type === 'headerEquals' && (!Array.isArray(val) || val.length !== 2)) {
      c.error(p, 'expected [header name, value]');
    }
  }
  return v as RequestModel['expect'];
}

function requestOf(c: Context, path: string, v: unknown, method: string): RequestModel | undefined {
  const o = c.object(path, v);
  if (!o) return undefined;
  if (o.match !== undefined) c.error(`${path}.match`, 'match is not supported (use capture and expect)');
  if (o.gzip !== undefined)
    c.warn(`${path}.gzip`, 'ignored: loadproof does not ask for compressed responses');
  c.unknownKeys(path, o, [
    'url',
    'uri',
    'name',
    'json',
    'body',
    'form',
    'formData',
    'qs',
    'headers',
    'cookie',
    'auth',
    'capture',
    'expect',
    'ifTrue',
    'probability',
    'beforeRequest',
    'afterResponse',
    'followRedirect',
    'match',
    'gzip',
  ]);
  const url = c.string(`${path}.url`, o.url ?? o.uri);
  if (url === undefined) return undefined;
  const req: RequestModel = { url };
  if (o.name !== undefined) {
    const n = c.string(`${path}.name`, o.name);
    if (n !== undefined) req.name = n;
  }
  const bodies = ['json', 'body', 'form', 'formData'].filter((k) => o[k] !== undefined);
  if (bodies.length > 1) c.error(path, `a request has one body: ${bodies.join(' and ')} given`);
  if (o.json !== undefined) req.json = o.json;
  if (o.body !== undefined) req.body = o.body;
  for (const k of ['form', 'formData', 'qs', 'cookie'] as const) {
    if (o[k] === undefined) continue;
    const obj = c.object(`${path}.${k}`, o[k]);
    if (obj) req[k] = obj;
  }
  if (req.formData) {
    for (const [k, val] of Object.entries(req.formData))
      if (isObject(val)) c.error(`${path}.formData.${k}`, 'file uploads (fromFile) are not supported');
  }
  const headers = headersOf(c, `${path}.headers`, o.headers);
  if (headers) req.headers = headers;
  if (o.auth !== undefined) {
    const a = c.object(`${path}.auth`, o.auth);
    if (a) {
      c.unknownKeys(`${path}.auth`, a, ['user', 'pass']);
      req.auth = { user: a.user, pass: a.pass };
    }
  }
  if (o.capture !== undefined) req.capture = captureOf(c, `${path}.capture`, o.capture);
  if (o.expect !== undefined) {
    const e = expectOf(c, `${path}.expect`, o.expect);
    if (e !== undefined) req.expect = e;
  }
  if (o.ifTrue !== undefined) {
    const cond = c.string(`${path}.ifTrue`, o.ifTrue);
    if (cond !== undefined) {
      try {
        parseExpression(cond);
        req.ifTrue = cond;
      } catch (e) {
        if (e instanceof ExpressionError) c.error(`${path}.ifTrue`, `malformed expression: ${e.message}`);
        else throw e;
      }
    }
  }
  if (o.probability !== undefined) {
    const n = c.number(`${path}.probability`, o.probability, { min: 0 });
    if (n !== undefined) req.probability = n;
  }
  const before = c.names(`${path}.beforeRequest`, o.beforeRequest);
  if (before.length) req.beforeRequest = before;
  const after = c.names(`${path}.afterResponse`, o.afterResponse);
  if (after.length) req.afterResponse = after;
  if (o.followRedirect !== undefined) {
    const b = c.boolean(`${path}.followRedirect`, o.followRedirect);
    if (b !== undefined) req.followRedirect = b;
  }
  if (method === 'get' || method === 'head') {
    if (req.json !== undefined || req.body !== undefined)
      c.warn(path, `a ${method.toUpperCase()} request with a body`);
  }
  return req;
}

function stepsOf(c: Context, path: string, v: unknown): StepModel[] {
  if (!Array.isArray(v)) {
    c.error(path, `expected a list of steps, got ${typeName(v)}`);
    return [];
  }
  const out: StepModel[] = [];
  v.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const s = c.object(p, raw);
    if (!s) return;
    if (!('loop' in s) && !('parallel' in s)) {
      checkTemplateFunctions(c, p, s);
      checkTemplateSyntax(c, p, s);
    } else {
      // The steps inside are checked as steps; here only the loop's own fields (over, count).
      const { loop: _loop, parallel: _parallel, ...own } = s;
      checkTemplateSyntax(c, p, own);
    }
    const keys = Object.keys(s);
    const ws = keys.find((k) => WS_STEPS.includes(k));
    if (ws) {
      c.error(`${p}.${ws}`, 'WebSocket and Socket.IO steps are not supported (only HTTP)');
      return;
    }
    const method = HTTP_METHODS.find((m) => m in s);
    if (method) {
      c.unknownKeys(p, s, [method]);
      const request = requestOf(c, `${p}.${method}`, s[method], method);
      if (request)
        out.push({ kind: 'request', path: `${p}.${method}`, method: method.toUpperCase(), request });
      return;
    }
    if ('think' in s) {
      c.unknownKeys(p, s, ['think', 'jitter']);
      const t = s.think;
      let seconds: number | string | undefined;
      if (typeof t === 'string' && t.includes('{{')) seconds = t;
      else seconds = c.seconds(`${p}.think`, t);
      const jitter = jitterOf(c, `${p}.jitter`, s.jitter);
      if (seconds !== undefined)
        out.push({ kind: 'think', path: p, seconds, ...(jitter !== undefined ? { jitter } : {}) });
      return;
    }
    if ('function' in s) {
      c.unknownKeys(p, s, ['function']);
      const [name] = c.names(`${p}.function`, s.function);
      if (name !== undefined) out.push({ kind: 'function', path: `${p}.function`, name });
      return;
    }
    if ('log' in s) {
      c.unknownKeys(p, s, ['log']);
      out.push({ kind: 'log', path: p, message: s.log });
      return;
    }
    if ('loop' in s) {
      c.unknownKeys(p, s, ['loop', 'count', 'over', 'whileTrue', 'loopValue', 'loopElement']);
      const steps = stepsOf(c, `${p}.loop`, s.loop);
      const options: Extract<StepModel, { kind: 'loop' }>['options'] = {};
      if (s.count !== undefined) {
        if (typeof s.count === 'string' && (s.count.includes('{{') || /^\s*\d+\s*-\s*\d+\s*$/.test(s.count)))
          options.count = s.count;
        else {
          const n = c.number(`${p}.count`, s.count, { integer: true, min: 0, max: LIMITS.iterations });
          if (n !== undefined) options.count = n;
        }
      }
      if (s.over !== undefined) {
        if (typeof s.over !== 'string' && !Array.isArray(s.over))
          c.error(`${p}.over`, `expected a list or a variable name, got ${typeName(s.over)}`);
        else options.over = s.over as unknown[] | string;
      }
      if (s.whileTrue !== undefined) {
        const [w] = c.names(`${p}.whileTrue`, s.whileTrue);
        if (w !== undefined) options.whileTrue = w;
      }
      for (const k of ['loopValue', 'loopElement'] as const) {
        if (s[k] !== undefined) {
          const n = c.string(`${p}.${k}`, s[k]);
          if (n !== undefined) options[k] = n;
        }
      }
      if (s.count === undefined && s.over === undefined && s.whileTrue === undefined)
        c.error(p, 'a loop needs count, over or whileTrue (else it never ends)');
      out.push({ kind: 'loop', path: p, options, steps });
      return;
    }
    if ('parallel' in s) {
      c.unknownKeys(p, s, ['parallel', 'limit']);
      const steps = stepsOf(c, `${p}.parallel`, s.parallel);
      const limit =
        s.limit === undefined
          ? undefined
          : c.number(`${p}.limit`, s.limit, { integer: true, positive: true });
      out.push({ kind: 'parallel', path: p, steps, ...(limit !== undefined ? { limit } : {}) });
      return;
    }
    c.error(
      p,
      keys.length
        ? `unknown step "${keys[0]}" (steps: ${[...HTTP_METHODS, 'think', 'function', 'loop', 'parallel', 'log'].join(', ')})`
        : 'empty step',
    );
  });
  return out;
}

function scenariosOf(c: Context, v: unknown): ScenarioModel[] {
  if (!Array.isArray(v) || v.length === 0) {
    c.error('scenarios', `expected a list of scenarios ({ name, flow }), got ${typeName(v)}`);
    return [];
  }
  const out: ScenarioModel[] = [];
  const names = new Set<string>();
  v.forEach((raw, i) => {
    const p = `scenarios[${i}]`;
    const s = c.object(p, raw);
    if (!s) return;
    if (s.engine !== undefined && s.engine !== 'http') {
      c.error(`${p}.engine`, `engine ${JSON.stringify(s.engine)} is not supported (only HTTP scenarios)`);
      return;
    }
    c.unknownKeys(p, s, [
      'name',
      'weight',
      'flow',
      'engine',
      'beforeScenario',
      'afterScenario',
      'beforeRequest',
      'afterResponse',
      'onError',
    ]);
    let name =
      s.name === undefined ? `scenario-${i + 1}` : (c.string(`${p}.name`, s.name) ?? `scenario-${i + 1}`);
    if (names.has(name)) {
      let k = 2;
      while (names.has(`${name} (${k})`)) k++;
      name = `${name} (${k})`;
    }
    names.add(name);
    const weight =
      s.weight === undefined ? 1 : (c.number(`${p}.weight`, s.weight, { integer: true, min: 0 }) ?? 1);
    if (weight === 0) c.warn(`${p}.weight`, 'weight 0: this scenario never runs');
    if (s.flow === undefined) c.error(`${p}.flow`, 'expected the list of steps');
    const steps = s.flow === undefined ? [] : stepsOf(c, `${p}.flow`, s.flow);
    const before = c.names(`${p}.beforeScenario`, s.beforeScenario).map(
      (name, j): StepModel => ({
        kind: 'function',
        path: Array.isArray(s.beforeScenario) ? `${p}.beforeScenario[${j}]` : `${p}.beforeScenario`,
        name,
        hook: 'beforeScenario',
      }),
    );
    const after = c.names(`${p}.afterScenario`, s.afterScenario).map(
      (name, j): StepModel => ({
        kind: 'function',
        path: Array.isArray(s.afterScenario) ? `${p}.afterScenario[${j}]` : `${p}.afterScenario`,
        name,
        hook: 'afterScenario',
      }),
    );
    out.push({
      path: p,
      name,
      weight,
      steps: [...before, ...steps, ...after],
      beforeRequest: c.names(`${p}.beforeRequest`, s.beforeRequest),
      afterResponse: c.names(`${p}.afterResponse`, s.afterResponse),
      onError: c.names(`${p}.onError`, s.onError),
    });
  });
  if (out.length && out.every((s) => s.weight === 0)) c.error('scenarios', 'every scenario has weight 0');
  const cycle = mixCycleLength(out.map((s) => s.weight));
  if (cycle > LIMITS.mixCycle)
    c.error(
      'scenarios',
      `the weights add up to ${cycle} after dividing by their common divisor; at most ${LIMITS.mixCycle}`,
    );
  return out;
}

function warnExpectWithoutPlugin(c: Context, scenarios: ScenarioModel[]): void {
  const visit = (steps: StepModel[]): string | undefined => {
    for (const s of steps) {
      if (s.kind === 'request' && s.request.expect !== undefined) return `${s.path}.expect`;
      if (s.kind === 'loop' || s.kind === 'parallel') {
        const f = visit(s.steps);
        if (f) return f;
      }
    }
    return undefined;
  };
  for (const s of scenarios) {
    const first = visit(s.steps);
    if (first) {
      c.warn(
        first,
        'expectations are not checked without the expect plugin (config.plugins.expect), as in Artillery; their statusCode values still count as expected outcomes',
      );
      return;
    }
  }
}

// ---------------------------------------------------------------- the script

export function parseScript(raw: unknown, options: ParseOptions): ParseResult {
  const c = new Context();
  const dir = options.file.replace(/[/\\][^/\\]*$/, '');
  if (!isObject(raw)) {
    c.error('(script)', `expected config and scenarios, got ${typeName(raw)}`);
    return { issues: c.issues, warnings: c.warnings };
  }
  for (const k of ['before', 'after'])
    if (raw[k] !== undefined)
      c.error(k, `script-level ${k} flows are not supported (use a processor function in ${k}Scenario)`);
  c.unknownKeys('', raw, ['config', 'scenarios', 'before', 'after']);

  let config = isObject(raw.config) ? raw.config : undefined;
  if (!config) c.error('config', `expected the config section, got ${typeName(raw.config)}`);
  config ??= {};

  const environments: string[] = [];
  if (config.environments !== undefined) {
    const envs = c.object('config.environments', config.environments);
    if (envs) {
      for (const [name, e] of Object.entries(envs)) {
        if (!isObject(e)) c.error(`config.environments.${name}`, `expected an object, got ${typeName(e)}`);
        else environments.push(name);
      }
    }
  }
  if (options.environment !== undefined) {
    const env = isObject(config.environments) ? config.environments[options.environment] : undefined;
    if (!isObject(env)) {
      c.error(
        'config.environments',
        `no environment "${options.environment}"${environments.length ? ` (environments: ${environments.join(', ')})` : ' (the script defines none)'}`,
      );
    } else {
      c.environment = options.environment;
      for (const k of Object.keys(env)) c.envKeys.add(k);
      config = mergeDeep(config, env);
    }
  }
  const envCtx = {
    vars: { $env: options.env, $processEnvironment: options.env, $environment: options.environment },
  };
  // Config values may come from the environment: target: "{{ $env.TARGET }}".
  const targetSource =
    typeof config.target === 'string' && config.target.includes('{{') ? config.target : undefined;
  // Rendered now, so a template that cannot be is named now, and not run: its calls would be.
  for (const k of ['target', 'phases', 'http', 'timeout']) {
    if (config[k] === undefined) continue;
    const known = c.issues.length;
    checkTemplateSyntax(c, `config.${k}`, config[k]);
    if (c.issues.length === known) config[k] = template(config[k], envCtx);
  }

  c.unknownKeys('config', config, [
    'target',
    'phases',
    'environments',
    'payload',
    'variables',
    'defaults',
    'http',
    'timeout',
    'processor',
    'plugins',
    'ensure',
    'tls',
    'mode',
    'statsInterval',
    'engines',
    'includeFiles',
    'bundling',
    'ws',
    'socketio',
    'loadproof',
  ]);
  for (const [k, why] of [
    ['tls', 'not supported: requests use Node.js default TLS verification'],
    ['mode', 'ignored: arrivals are spread evenly (uniform)'],
    ['statsInterval', 'ignored: loadproof reports every second'],
    ['includeFiles', 'ignored: nothing is bundled, files are read where they are'],
    ['bundling', 'ignored: nothing is bundled, files are read where they are'],
    ['ws', 'ignored: only HTTP scenarios run'],
    ['socketio', 'ignored: only HTTP scenarios run'],
  ] as const) {
    if (config[k] !== undefined) c.warn(`config.${k}`, why);
  }
  if (config.engines !== undefined) {
    const engines = c.object('config.engines', config.engines);
    if (engines)
      for (const k of Object.keys(engines))
        if (k !== 'http') c.warn(`config.engines.${k}`, 'ignored: only HTTP scenarios run');
  }

  let target = '';
  const unset = targetSource
    ? /{{\s*\$(?:env|processEnvironment)\.([A-Za-z_][A-Za-z0-9_]*)\s*}}/.exec(targetSource)
    : null;
  const missing = unset && options.env[unset[1] as string] === undefined ? (unset[1] as string) : undefined;
  const t = missing ? undefined : c.string('config.target', config.target);
  if (missing) {
    c.error('config.target', `${targetSource}: ${missing} is not set (set it, or pass --env ${missing}=URL)`);
  } else if (t !== undefined) {
    try {
      const u = new URL(t);
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        c.error('config.target', `expected an http(s) URL, got "${t}"`);
      target = t.replace(/\/+$/, '');
    } catch {
      c.error('config.target', `not a valid URL: "${t}"`);
    }
  }

  const model: ScriptModel = {
    file: options.file,
    dir,
    target,
    ...(targetSource !== undefined ? { targetSource } : {}),
    ...(c.environment ? { environment: c.environment } : {}),
    environments,
    phases: phasesOf(c, config.phases),
    payloads: payloadsOf(c, config.payload, dir),
    variables: {},
    defaults: {},
    timeoutSec: 10,
    ensure: { legacy: [], thresholds: [], conditions: [] },
    scenarios: [],
    checks: [],
  };

  if (config.variables !== undefined) {
    const vars = c.object('config.variables', config.variables);
    if (vars) {
      checkTemplateFunctions(c, 'config.variables', vars);
      checkTemplateSyntax(c, 'config.variables', vars);
      model.variables = vars;
    }
  }
  defaultsOf(c, 'config.defaults', config.defaults, model.defaults);
  for (const k of ['defaults', 'loadproof'])
    if (config[k] !== undefined) checkTemplateSyntax(c, `config.${k}`, config[k]);
  if (config.timeout !== undefined) {
    const s = c.number('config.timeout', config.timeout, { positive: true, max: LIMITS.durationMs / 1000 });
    if (s !== undefined) model.timeoutSec = s;
  }
  if (config.http !== undefined) {
    const http = c.object('config.http', config.http);
    if (http) {
      c.unknownKeys('config.http', http, [
        'timeout',
        'pool',
        'defaults',
        'extendedMetrics',
        'maxSockets',
        'cookieJarOptions',
      ]);
      if (http.timeout !== undefined) {
        const s = c.number('config.http.timeout', http.timeout, {
          positive: true,
          max: LIMITS.durationMs / 1000,
        });
        if (s !== undefined) model.timeoutSec = s;
      }
      if (http.pool !== undefined) {
        const n = c.number('config.http.pool', http.pool, { integer: true, positive: true, max: LIMITS.vus });
        if (n !== undefined) model.pool = n;
      }
      defaultsOf(c, 'config.http.defaults', http.defaults, model.defaults);
      if (http.extendedMetrics !== undefined)
        c.warn('config.http.extendedMetrics', 'ignored: connect and waiting times are always recorded');
      if (http.maxSockets !== undefined)
        c.warn('config.http.maxSockets', 'ignored: connections are pooled per worker thread (see http.pool)');
      if (http.cookieJarOptions !== undefined)
        c.warn('config.http.cookieJarOptions', 'ignored: each virtual user keeps a simple cookie jar');
    }
  }
  if (config.processor !== undefined) {
    const p = c.string('config.processor', config.processor);
    if (p !== undefined) model.processor = { file: p, absFile: isAbsolute(p) ? p : resolve(dir, p) };
  }
  pluginsOf(c, config.plugins, model);
  ensureOf(c, config.ensure, 'config.ensure', model.ensure);
  model.checks = checksOf(c, config.loadproof);
  model.scenarios = scenariosOf(c, raw.scenarios);
  if (!model.expect) warnExpectWithoutPlugin(c, model.scenarios);

  return { ...(c.issues.length ? {} : { model }), issues: c.issues, warnings: c.warnings };
}

/** Every processor function the script names, with where it names it. */
export function functionReferences(model: ScriptModel): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  const visit = (steps: StepModel[]) => {
    for (const s of steps) {
      if (s.kind === 'function') out.push({ name: s.name, path: s.path });
      else if (s.kind === 'request') {
        for (const k of ['beforeRequest', 'afterResponse'] as const) {
          const names = s.request[k] ?? [];
          names.forEach((name, i) => {
            out.push({ name, path: `${s.path}.${k}${names.length === 1 ? '' : `[${i}]`}` });
          });
        }
      } else if (s.kind === 'loop') {
        if (s.options.whileTrue) out.push({ name: s.options.whileTrue, path: `${s.path}.whileTrue` });
        visit(s.steps);
      } else if (s.kind === 'parallel') visit(s.steps);
    }
  };
  for (const sc of model.scenarios) {
    for (const k of ['beforeRequest', 'afterResponse', 'onError'] as const)
      for (const name of sc[k]) out.push({ name, path: `${sc.path}.${k}` });
    visit(sc.steps);
  }
  for (const ch of model.checks)
    if (ch.function) out.push({ name: ch.function, path: `${ch.path}.function` });
  return out;
}

/** Marks each `ifTrue` that names a processor function as one (Artillery looks there first). */
export function resolveConditions(model: ScriptModel, processor: Record<string, unknown> | undefined): void {
  const visit = (steps: StepModel[]) => {
    for (const s of steps) {
      if (
        s.kind === 'request' &&
        s.request.ifTrue !== undefined &&
        processor &&
        typeof processor[s.request.ifTrue] === 'function'
      )
        s.request.ifTrueIsFunction = true;
      else if (s.kind === 'loop' || s.kind === 'parallel') visit(s.steps);
    }
  };
  for (const sc of model.scenarios) visit(sc.steps);
}
