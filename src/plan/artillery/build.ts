/**
 * What `loadproof run` and `loadproof convert` share: the plan's shape from a validated script
 * (scenarios per phase, thresholds, declared metrics, http settings) and each request's spec for
 * the runtime. `run` fills in functions; `convert` writes the same as TypeScript.
 */
import { basename } from 'node:path';
import type { MetricType } from '../../metrics/names.ts';
import type { ThresholdInput } from '../types.ts';
import { ensurePlan } from './ensure.ts';
import type { RequestModel, ScriptModel, StepModel } from './model.ts';
import type { ParseIssue } from './parse.ts';
import { type PhasePlan, phasePlans } from './phases.ts';

export interface PlanShape {
  name: string;
  target: string;
  http: { timeout: string; connections?: number };
  metrics: Record<string, MetricType>;
  thresholds: Record<string, ThresholdInput[]>;
  phases: PhasePlan[];
}

function usesExpectations(model: ScriptModel): boolean {
  if (!model.expect) return false;
  if (model.expect.expectDefault200) return true;
  const visit = (steps: StepModel[]): boolean =>
    steps.some(
      (s) =>
        (s.kind === 'request' && s.request.expect !== undefined) ||
        ((s.kind === 'loop' || s.kind === 'parallel') && visit(s.steps)),
    );
  return model.scenarios.some((s) => visit(s.steps));
}

export function planShape(model: ScriptModel, issues: ParseIssue[]): PlanShape {
  const phases = phasePlans(model.phases);
  if (phases.length === 0 && model.phases.length > 0)
    issues.push({ path: 'config.phases', message: 'no phase starts any virtual user' });
  const ensure = ensurePlan(model.ensure, { expectations: usesExpectations(model) }, issues);
  return {
    name: basename(model.file),
    target: model.target,
    http: {
      timeout: `${model.timeoutSec}s`,
      ...(model.pool !== undefined ? { connections: model.pool } : {}),
    },
    metrics: ensure.metrics,
    thresholds: ensure.thresholds,
    phases,
  };
}

/**
 * A request's spec for the runtime, in a readable key order; `fn` turns a processor function
 * name into what the caller wants (the function itself, or code that names it).
 */
export function requestSpecOf<F>(r: RequestModel, fn: (name: string) => F): Record<string, unknown> {
  const spec: Record<string, unknown> = { url: r.url };
  if (r.name !== undefined) spec.name = r.name;
  if (r.ifTrue !== undefined) spec.ifTrue = r.ifTrueIsFunction ? fn(r.ifTrue) : r.ifTrue;
  if (r.probability !== undefined) spec.probability = r.probability;
  if (r.headers !== undefined) spec.headers = r.headers;
  if (r.qs !== undefined) spec.qs = r.qs;
  if (r.cookie !== undefined) spec.cookie = r.cookie;
  if (r.auth !== undefined) spec.auth = r.auth;
  if (r.json !== undefined) spec.json = r.json;
  if (r.body !== undefined) spec.body = r.body;
  if (r.form !== undefined) spec.form = r.form;
  if (r.formData !== undefined) spec.formData = r.formData;
  if (r.beforeRequest?.length) spec.beforeRequest = r.beforeRequest.map(fn);
  if (r.capture?.length) spec.capture = r.capture;
  if (r.expect !== undefined) spec.expect = r.expect;
  if (r.afterResponse?.length) spec.afterResponse = r.afterResponse.map(fn);
  if (r.followRedirect !== undefined) spec.followRedirect = r.followRedirect;
  return spec;
}
