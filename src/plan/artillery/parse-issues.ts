/**
 * The issues of one Artillery script being read: the shared toolkit (`../issues.ts`) with what
 * YAML scripts add. A config key that came from the chosen environment is reported where it was
 * written (`config.environments.ci.phases[0]`); numbers may be written as text; function names,
 * templates, headers and jitter are checked the same way wherever they appear. The YAML reader
 * (`yaml.ts`) gives the lines, added when the issues are reported (`planIssues`).
 */
import { type Issue, Issues, isObject, type NumberRule, typeName } from '../issues.ts';
import { TEMPLATE_FUNCTIONS, templateFunctionsIn, templateSyntaxProblem } from './template.ts';

/** A problem found in a script: its path and message (a line is added when it is reported). */
export type ParseIssue = Issue;

const TEMPLATE_FUNCS = new Set<string>([...TEMPLATE_FUNCTIONS, '$template']);

export class ScriptIssues extends Issues {
  /** config keys that came from the chosen environment, reported under its path. */
  envKeys = new Set<string>();
  environment?: string;

  protected override locate(path: string): string {
    const m = /^config\.([^.[]+)(.*)$/.exec(path);
    if (m && this.environment && this.envKeys.has(m[1] as string))
      return `config.environments.${this.environment}.${m[1]}${m[2]}`;
    return path;
  }
  /** YAML may quote a number (`arrivalRate: "10"`): numeric text is the number. */
  override number(path: string, v: unknown, rule: NumberRule = {}): number | undefined {
    return super.number(path, v, { ...rule, text: true });
  }
  /** A duration in seconds, as Artillery's phases and think steps take it. */
  seconds(path: string, v: unknown): number | undefined {
    const ms = this.duration(path, v);
    return ms === undefined ? undefined : ms / 1000;
  }
  /** One function name or an array of them (hooks, whileTrue), as processor functions. */
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
}

export function checkTemplateFunctions(c: ScriptIssues, path: string, value: unknown): void {
  for (const f of templateFunctionsIn(value)) {
    if (!TEMPLATE_FUNCS.has(f))
      c.error(path, `unknown template function ${f}() (available: $randomNumber, $randomString)`);
  }
}

/** Every string (and key) under `value` whose templates cannot be rendered, named by its path. */
export function checkTemplateSyntax(c: ScriptIssues, path: string, value: unknown): void {
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

/** Headers (of defaults or of a request): names to values, none of them an object or array. */
export function headersOf(c: ScriptIssues, path: string, v: unknown): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  const o = c.object(path, v);
  if (!o) return undefined;
  for (const [k, val] of Object.entries(o))
    if (val !== null && typeof val === 'object')
      c.error(`${path}.${k}`, `expected a value, got ${typeName(val)}`);
  return o;
}

/** A think time's jitter: a percentage such as `"20%"`. */
export function jitterOf(c: ScriptIssues, path: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(v)) return v.trim();
  c.error(path, `expected a percentage such as "20%", got ${typeName(v)}`);
  return undefined;
}
