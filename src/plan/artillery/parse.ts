/**
 * Validates an Artillery script (as parsed from YAML) into a `ScriptModel`. Every problem is
 * named by its path (`config.phases[1].arrivalRate: expected a non-negative number`) and all
 * are reported at once. What loadproof does not do is an error when it would change the
 * requests sent (WebSocket steps, other engines, xpath captures) and a warning when it would not
 * (reporting plugins, `mode`, `tls`): never silently ignored.
 *
 * This file reads the script's top level and the chosen environment; `parse-config.ts` reads
 * the config section, `parse-flow.ts` the scenarios, `parse-issues.ts` holds the issues.
 */
import { isAbsolute, resolve } from 'node:path';
import { isObject, typeName } from '../issues.ts';
import { LIMITS } from '../limits.ts';
import type { ScriptModel } from './model.ts';
import {
  checksOf,
  defaultsOf,
  ensureOf,
  httpOf,
  payloadsOf,
  phasesOf,
  pluginsOf,
  validityInputOf,
} from './parse-config.ts';
import { scenariosOf, warnExpectWithoutPlugin } from './parse-flow.ts';
import {
  checkTemplateFunctions,
  checkTemplateSyntax,
  type ParseIssue,
  ScriptIssues,
} from './parse-issues.ts';
import { template } from './template.ts';

export { functionReferences, HTTP_METHODS, resolveConditions } from './parse-flow.ts';
export type { ParseIssue } from './parse-issues.ts';

export interface ParseOptions {
  file: string;
  environment?: string;
  /** Environment for `{{ $env.X }}` in config (process.env and --env). */
  env: Record<string, string | undefined>;
}

export interface ParseResult {
  model?: ScriptModel;
  issues: ParseIssue[];
  warnings: ParseIssue[];
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? mergeDeep(b, v) : v;
  }
  return out;
}

export function parseScript(raw: unknown, options: ParseOptions): ParseResult {
  const c = new ScriptIssues();
  const dir = options.file.replace(/[/\\][^/\\]*$/, '');
  if (!isObject(raw)) {
    c.error('(script)', `expected config and scenarios, got ${typeName(raw)}`);
    return { issues: c.errors, warnings: c.warnings };
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
    const known = c.errors.length;
    checkTemplateSyntax(c, `config.${k}`, config[k]);
    if (c.errors.length === known) config[k] = template(config[k], envCtx);
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
  } else if (t !== undefined) target = c.baseUrl('config.target', t);

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
  httpOf(c, config.http, model);
  if (config.processor !== undefined) {
    const p = c.string('config.processor', config.processor);
    if (p !== undefined) model.processor = { file: p, absFile: isAbsolute(p) ? p : resolve(dir, p) };
  }
  pluginsOf(c, config.plugins, model);
  ensureOf(c, config.ensure, 'config.ensure', model.ensure);
  model.checks = checksOf(c, config.loadproof);
  const validity = validityInputOf(c, config.loadproof);
  if (validity) model.validity = validity;
  model.scenarios = scenariosOf(c, raw.scenarios);
  if (!model.expect) warnExpectWithoutPlugin(c, model.scenarios);

  return { ...(c.errors.length ? {} : { model }), issues: c.errors, warnings: c.warnings };
}
