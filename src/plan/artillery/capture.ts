/**
 * Artillery's `capture`: values taken from a response into the virtual user's variables, from
 * the JSON body (JSONPath), a header, or the body text (a regular expression). A capture that
 * finds nothing (no value or an empty string) fails the request unless it is `strict: false`
 * (or `defaults.strictCapture: false`); then none of the request's captures are kept.
 */
import { type CompiledJsonPath, compileJsonPath, queryJsonPath } from './jsonpath.ts';
import { type TemplateContext, templateText } from './template.ts';

export interface CaptureSpec {
  json?: string;
  header?: string;
  regexp?: string;
  as: string;
  strict?: boolean;
  /** regexp: a named group, or a group number. */
  group?: string | number;
  flags?: string;
}

export interface CapturedResponse {
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON, else the text. */
  body: unknown;
  text: string;
}

export interface CaptureOutcome {
  /** [variable path, value] of every capture, in order (kept only when none failed). */
  values: [string, unknown][];
  /** The captures that failed, described for the error message. */
  failed: string[];
}

const paths = new Map<string, CompiledJsonPath>();

function jsonPath(expr: string): CompiledJsonPath {
  let p = paths.get(expr);
  if (!p) {
    p = compileJsonPath(expr);
    if (paths.size > 10_000) paths.clear();
    paths.set(expr, p);
  }
  return p;
}

function parsedBody(res: CapturedResponse): { ok: true; doc: unknown } | { ok: false } {
  if (typeof res.body === 'object' && res.body !== null) return { ok: true, doc: res.body };
  try {
    return { ok: true, doc: JSON.parse(res.text) };
  } catch {
    return { ok: false };
  }
}

function extract(spec: CaptureSpec, res: CapturedResponse, ctx: TemplateContext): unknown {
  if (spec.json !== undefined) {
    const body = parsedBody(res);
    if (!body.ok || typeof body.doc !== 'object' || body.doc === null) return undefined;
    const found = queryJsonPath(jsonPath(templateText(spec.json, ctx)), body.doc);
    if (found.length === 0) return '';
    return found.length === 1 ? found[0] : found[Math.floor(Math.random() * found.length)];
  }
  if (spec.header !== undefined) return res.headers[templateText(spec.header, ctx).toLowerCase()] ?? '';
  if (spec.regexp !== undefined) {
    const rx = new RegExp(templateText(spec.regexp, ctx), spec.flags);
    const m = rx.exec(res.text);
    if (!m) return '';
    if (spec.group !== undefined) {
      if (typeof spec.group === 'string' && m.groups && spec.group in m.groups)
        return m.groups[spec.group] ?? '';
      if (typeof spec.group === 'number' || /^\d+$/.test(String(spec.group)))
        return m[Number(spec.group)] ?? '';
    }
    return m[0];
  }
  return undefined;
}

export function describeCapture(spec: CaptureSpec): string {
  const how =
    spec.json !== undefined
      ? `json ${spec.json}`
      : spec.header !== undefined
        ? `header ${spec.header}`
        : `regexp ${spec.regexp}`;
  return `${how} as ${spec.as}`;
}

export function runCaptures(
  specs: readonly CaptureSpec[],
  res: CapturedResponse,
  ctx: TemplateContext,
  defaultStrict: boolean | undefined,
): CaptureOutcome {
  const out: CaptureOutcome = { values: [], failed: [] };
  for (const spec of specs) {
    let value: unknown;
    let error = false;
    try {
      value = extract(spec, res, ctx);
    } catch {
      error = true;
    }
    const empty = error || value === undefined || value === '';
    const strict = spec.strict ?? defaultStrict ?? true;
    if (empty && strict !== false) out.failed.push(describeCapture(spec));
    out.values.push([spec.as, value]);
  }
  return out;
}
