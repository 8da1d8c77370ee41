/**
 * `loadproof run script.yml`: an Artillery script read, validated and turned into the same
 * PlanInput a TypeScript plan gives. Each worker thread reads the script again (functions cannot
 * cross threads), so the processor and payloads are loaded per thread; warnings are returned
 * for the caller to print once.
 */
import { isAbsolute, relative } from 'node:path';
import { sqlCheck } from '../../checks/sql.ts';
import { PlanValidationError } from '../../errors.ts';
import { planIssues } from '../issues.ts';
import type { PlanFileOptions } from '../load.ts';
import type { CheckInput, PlanInput, ScenarioInput } from '../types.ts';
import { planShape, requestSpecOf } from './build.ts';
import { checkUrl } from './from-env.ts';
import type { ScriptModel, StepModel } from './model.ts';
import { functionReferences, type ParseIssue, parseScript, resolveConditions } from './parse.ts';
import { loadPayload } from './payload.ts';
import { type ArtilleryFn, loadProcessor, type Processor } from './processor.ts';
import { type ArtilleryScript, script as newScript } from './script.ts';
import type { RequestSpec, ScenarioSpec } from './script-types.ts';
import type { ArtilleryVu } from './virtual-user.ts';
import { readYamlScript } from './yaml.ts';

export interface ArtilleryLoad {
  input: PlanInput;
  warnings: string[];
}

export interface ReadScript {
  model: ScriptModel;
  processor: Processor;
  warnings: string[];
}

/** The script's path as the user knows it: relative to the working folder when inside it. */
export function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Reads and validates a script, loads its processor, checks every function it names. */
export async function readArtilleryScript(file: string, options: PlanFileOptions): Promise<ReadScript> {
  const yaml = readYamlScript(file, shown(file));
  const env = { ...process.env, ...options.env };
  const parsed = parseScript(yaml.data, {
    file,
    env,
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
  });
  const warnings = planIssues(parsed.warnings, yaml.lineOf).map(
    (w) => `${shown(file)}: ${w.path}: ${w.message}`,
  );
  if (!parsed.model) throw new PlanValidationError(planIssues(parsed.issues, yaml.lineOf), shown(file));
  const model = parsed.model;
  const processor = model.processor ? await loadProcessor(model.processor.absFile) : {};
  const issues: ParseIssue[] = [];
  for (const ref of functionReferences(model)) {
    if (typeof processor[ref.name] === 'function') continue;
    issues.push({
      path: ref.path,
      message: model.processor
        ? `no function "${ref.name}" in the processor ${model.processor.file} (it exports: ${Object.keys(processor).join(', ') || 'nothing'})`
        : `function "${ref.name}" needs a processor (config.processor)`,
    });
  }
  if (issues.length) throw new PlanValidationError(planIssues(issues, yaml.lineOf), shown(file));
  resolveConditions(model, processor);
  return { model, processor, warnings };
}

type Body = (u: ArtilleryVu) => Promise<void>;

function compileSteps(steps: readonly StepModel[], fns: Processor): Body[] {
  const fn = (name: string): ArtilleryFn => fns[name] as ArtilleryFn;
  return steps.map((s): Body => {
    switch (s.kind) {
      case 'request': {
        const spec = requestSpecOf(s.request, fn) as unknown as RequestSpec;
        return (u) => u.request(s.method, spec);
      }
      case 'think':
        return (u) => u.think(s.seconds, s.jitter);
      case 'function': {
        const f = fn(s.name);
        return (u) => u.call(f);
      }
      case 'log':
        return async (u) => u.log(s.message);
      case 'loop': {
        const body = sequence(compileSteps(s.steps, fns));
        const { whileTrue, ...rest } = s.options;
        const opts = { ...rest, ...(whileTrue ? { whileTrue: fn(whileTrue) } : {}) };
        return (u) => u.loop(opts, () => body(u));
      }
      case 'parallel': {
        const bodies = compileSteps(s.steps, fns);
        return (u) =>
          u.parallel(
            bodies.map((b) => () => b(u)),
            s.limit,
          );
      }
    }
    throw new Error('unknown step');
  });
}

function sequence(bodies: Body[]): Body {
  return async (u) => {
    for (const b of bodies) await b(u);
  };
}

export function runtimeScript(model: ScriptModel): ArtilleryScript {
  return newScript({
    target: model.target,
    ...(model.environment !== undefined ? { environment: model.environment } : {}),
    variables: model.variables,
    payload: model.payloads.map((p) => loadPayload(p.absFile, p)),
    defaults: model.defaults,
    ...(model.expect ? { expect: model.expect } : {}),
    timeout: model.timeoutSec,
    scriptPath: model.file,
  });
}

export async function loadArtilleryScript(file: string, options: PlanFileOptions): Promise<ArtilleryLoad> {
  const { model, processor, warnings } = await readArtilleryScript(file, options);
  const issues: ParseIssue[] = [];
  const shape = planShape(model, issues);
  if (issues.length) {
    const yaml = readYamlScript(file);
    throw new PlanValidationError(planIssues(issues, yaml.lineOf), shown(file));
  }
  const script = runtimeScript(model);
  const scenarios: ScenarioSpec[] = model.scenarios.map((s) => ({
    name: s.name,
    weight: s.weight,
    run: sequence(compileSteps(s.steps, processor)),
    beforeRequest: s.beforeRequest.map((n) => processor[n] as ArtilleryFn),
    afterResponse: s.afterResponse.map((n) => processor[n] as ArtilleryFn),
    onError: s.onError.map((n) => processor[n] as ArtilleryFn),
  }));
  const checks: Record<string, CheckInput> = {};
  for (const c of model.checks) {
    const when = {
      ...(c.description !== undefined ? { description: c.description } : {}),
      ...(c.every !== undefined ? { every: c.every } : {}),
      ...(c.before !== undefined ? { before: c.before } : {}),
      ...(c.after !== undefined ? { after: c.after } : {}),
    };
    if (c.sql !== undefined) {
      const raw = c.url;
      checks[c.name] = sqlCheck({ ...when, sql: c.sql, url: (ctx) => checkUrl(raw, ctx.env) });
    } else {
      const f = processor[c.function as string] as ArtilleryFn;
      checks[c.name] = { ...when, run: (ctx) => f(ctx) };
    }
  }
  const input: PlanInput = {
    name: shape.name,
    target: shape.target,
    http: shape.http,
    metrics: shape.metrics,
    // Without ensure or expect the script gets loadproof's default thresholds, as its conversion does.
    ...(Object.keys(shape.thresholds).length ? { thresholds: shape.thresholds } : {}),
    ...(Object.keys(checks).length ? { checks } : {}),
    ...(model.validity ? { validity: model.validity } : {}),
    scenarios: Object.fromEntries(
      shape.phases.map((p) => [
        p.name,
        { ...p.scenario, flow: script.flows(p.firstArrival, scenarios) } as ScenarioInput,
      ]),
    ),
  };
  return { input, warnings };
}
