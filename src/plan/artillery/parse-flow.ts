/**
 * The `scenarios` of an Artillery script, checked into the model: scenarios and their flows of
 * steps (requests, think, function, log, loop, parallel), each request's capture and expect.
 * What would change the requests sent and is not supported (WebSocket steps, other engines,
 * xpath captures) is an error; what would not is a warning.
 */
import { isObject, typeName } from '../issues.ts';
import { LIMITS } from '../limits.ts';
import type { CaptureSpec } from './capture.ts';
import { EXPECTATION_TYPES } from './expectations.ts';
import { ExpressionError, parseExpression } from './expression.ts';
import { compileJsonPath, JsonPathError } from './jsonpath.ts';
import type { RequestModel, ScenarioModel, ScriptModel, StepModel } from './model.ts';
import {
  checkTemplateFunctions,
  checkTemplateSyntax,
  headersOf,
  jitterOf,
  type ScriptIssues,
} from './parse-issues.ts';

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'] as const;
const WS_STEPS = ['send', 'emit', 'connect', 'ws', 'socketio', 'wait', 'reconnect'];

function captureOf(c: ScriptIssues, path: string, v: unknown): CaptureSpec[] {
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

function expectOf(c: ScriptIssues, path: string, v: unknown): RequestModel['expect'] {
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
    c.error(path, `expected an array of expectations, got ${typeName(v)}`);
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

function requestOf(c: ScriptIssues, path: string, v: unknown, method: string): RequestModel | undefined {
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
    const n = c.number(`${path}.probability`, o.probability, { nonNegative: true });
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

function stepsOf(c: ScriptIssues, path: string, v: unknown): StepModel[] {
  if (!Array.isArray(v)) {
    c.error(path, `expected an array of steps, got ${typeName(v)}`);
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
          const n = c.number(`${p}.count`, s.count, {
            integer: true,
            nonNegative: true,
            max: LIMITS.iterations,
          });
          if (n !== undefined) options.count = n;
        }
      }
      if (s.over !== undefined) {
        if (typeof s.over !== 'string' && !Array.isArray(s.over))
          c.error(`${p}.over`, `expected an array or a variable name, got ${typeName(s.over)}`);
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

export function scenariosOf(c: ScriptIssues, v: unknown): ScenarioModel[] {
  if (!Array.isArray(v) || v.length === 0) {
    c.error('scenarios', `expected an array of scenarios ({ name, flow }), got ${typeName(v)}`);
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
      s.weight === undefined
        ? 1
        : (c.number(`${p}.weight`, s.weight, { integer: true, nonNegative: true }) ?? 1);
    if (weight === 0) c.warn(`${p}.weight`, 'weight 0: this scenario never runs');
    if (s.flow === undefined) c.error(`${p}.flow`, 'expected the array of steps');
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
  c.weightsCycle(
    'scenarios',
    out.map((s) => s.weight),
  );
  return out;
}

export function warnExpectWithoutPlugin(c: ScriptIssues, scenarios: ScenarioModel[]): void {
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
