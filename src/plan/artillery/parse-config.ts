/**
 * The `config` section of an Artillery script, checked into the model: phases, payloads,
 * ensure, plugins, loadproof's checks and request defaults. Each reader records its problems in
 * the script's issues and returns what it could read.
 */
import { isAbsolute, resolve } from 'node:path';
import { isObject, typeName } from '../issues.ts';
import { LIMITS, MAX_DURATION_TEXT } from '../limits.ts';
import type { ValidityInput } from '../types.ts';
import { validityOf } from '../validity.ts';
import type { CheckModel, EnsureModel, PayloadModel, PhaseModel, ScriptModel } from './model.ts';
import { headersOf, jitterOf, type ScriptIssues } from './parse-issues.ts';

export function phasesOf(c: ScriptIssues, v: unknown): PhaseModel[] {
  if (!Array.isArray(v) || v.length === 0) {
    c.error('config.phases', `expected an array of phases ({ duration, arrivalRate }), got ${typeName(v)}`);
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
        nonNegative: true,
        max: LIMITS.iterations,
      });
      if (n !== undefined && durationSec && n / durationSec > LIMITS.ratePerSec)
        c.error(
          `${p}.arrivalCount`,
          `must start at most ${LIMITS.ratePerSec} virtual users per second, got ${n} in ${durationSec} s`,
        );
      if (n !== undefined && durationSec) phase = { path: p, durationSec, arrivalCount: n, pause: n === 0 };
    } else if (ph.arrivalRate !== undefined) {
      const rate = c.number(`${p}.arrivalRate`, ph.arrivalRate, {
        nonNegative: true,
        max: LIMITS.ratePerSec,
      });
      const rampTo =
        ph.rampTo === undefined
          ? undefined
          : c.number(`${p}.rampTo`, ph.rampTo, { nonNegative: true, max: LIMITS.ratePerSec });
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

export function payloadsOf(c: ScriptIssues, v: unknown, dir: string): PayloadModel[] {
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
        c.error(`${p}.fields`, `expected an array of variable names, got ${typeName(pl.fields)}`);
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

export function ensureOf(c: ScriptIssues, v: unknown, path: string, into: EnsureModel): void {
  if (v === undefined) return;
  const e = c.object(path, v);
  if (!e) return;
  for (const [k, val] of Object.entries(e)) {
    const p = `${path}.${k}`;
    if (['p95', 'p99', 'max', 'min', 'median'].includes(k)) {
      const n = c.number(p, val);
      if (n !== undefined) into.legacy.push({ key: k, value: n, path: p });
    } else if (k === 'maxErrorRate') {
      const n = c.number(p, val, { nonNegative: true });
      if (n !== undefined) into.maxErrorRate = { value: n, path: p };
    } else if (k === 'thresholds') {
      if (!Array.isArray(val)) {
        c.error(p, `expected an array of { metric: value }, got ${typeName(val)}`);
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
        c.error(p, `expected an array of { expression, strict? }, got ${typeName(val)}`);
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

export function pluginsOf(c: ScriptIssues, v: unknown, model: Pick<ScriptModel, 'expect' | 'ensure'>): void {
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

export function checksOf(c: ScriptIssues, v: unknown): CheckModel[] {
  if (v === undefined) return [];
  const lp = c.object('config.loadproof', v);
  if (!lp) return [];
  c.unknownKeys('config.loadproof', lp, ['checks', 'validity']);
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

export function defaultsOf(c: ScriptIssues, path: string, v: unknown, into: ScriptModel['defaults']): void {
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

/** `config.http`: the request timeout, the connection pool and request defaults. */
export function httpOf(
  c: ScriptIssues,
  v: unknown,
  model: Pick<ScriptModel, 'timeoutSec' | 'pool' | 'defaults'>,
): void {
  if (v === undefined) return;
  const http = c.object('config.http', v);
  if (!http) return;
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
    c.warn('config.http.cookieJarOptions', "ignored: each virtual user keeps the VU's cookie jar (RFC 6265)");
}

/** `config.loadproof.validity`: the run-validity limits the script changes, checked where written. */
export function validityInputOf(c: ScriptIssues, v: unknown): ValidityInput | undefined {
  if (!isObject(v) || v.validity === undefined) return undefined;
  const before = c.errors.length;
  validityOf(c, 'config.loadproof.validity', v.validity);
  return c.errors.length === before ? (v.validity as ValidityInput) : undefined;
}
