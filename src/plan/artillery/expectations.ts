/**
 * The expectations of Artillery's expect plugin (`config.plugins.expect`), checked on each
 * response: statusCode (one or a list), notStatusCode, contentType (`json` for any JSON body),
 * hasProperty / notHasProperty (a path in the JSON body), equals, hasHeader, headerEquals and
 * matchesRegexp. Values are templated with the user's variables, as Artillery does.
 */
import { hasPath, type TemplateContext, template, templateText } from './template.ts';

export const EXPECTATION_TYPES = [
  'statusCode',
  'notStatusCode',
  'contentType',
  'hasProperty',
  'notHasProperty',
  'equals',
  'hasHeader',
  'headerEquals',
  'matchesRegexp',
] as const;

export type ExpectationType = (typeof EXPECTATION_TYPES)[number];

/** As written: a list of one-key objects, or one object with a key per expectation. */
export type ExpectSpec = Record<string, unknown>[] | Record<string, unknown>;

export interface ExpectedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

export interface ExpectationResult {
  type: string;
  /** The expectation as written, for the check's name: `statusCode 200`. */
  label: string;
  ok: boolean;
}

export function expectationList(spec: ExpectSpec | undefined): [string, unknown][] {
  if (spec === undefined) return [];
  if (Array.isArray(spec)) return spec.flatMap((o) => Object.entries(o ?? {}));
  return Object.entries(spec);
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The statuses a request's `statusCode` expectations name (fixed numbers only). */
export function expectedStatuses(spec: ExpectSpec | undefined): number[] {
  const out: number[] = [];
  for (const [type, value] of expectationList(spec)) {
    if (type !== 'statusCode') continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      const n = Number(v);
      if (Number.isInteger(n) && n >= 100 && n <= 599) out.push(n);
    }
  }
  return out;
}

function isJsonBody(res: ExpectedResponse): boolean {
  const ct = res.headers['content-type'] ?? '';
  return (
    typeof res.body === 'object' &&
    res.body !== null &&
    (ct.includes('application/json') ||
      ct.includes('application/problem+json') ||
      ct.includes('application/ld+json'))
  );
}

function check(type: string, value: unknown, res: ExpectedResponse, ctx: TemplateContext): boolean {
  const v = template(value, ctx);
  switch (type) {
    case 'statusCode':
      return (Array.isArray(v) ? v : [v]).some((x) => Number(x) === res.status);
    case 'notStatusCode':
      return !(Array.isArray(v) ? v : [v]).some((x) => Number(x) === res.status);
    case 'contentType': {
      if (v === 'json') return isJsonBody(res);
      const ct = res.headers['content-type'];
      return !!ct && ct.toLowerCase() === String(v).toLowerCase();
    }
    case 'hasProperty':
      return typeof res.body === 'object' && res.body !== null && hasPath(res.body, String(v));
    case 'notHasProperty':
      return typeof res.body === 'object' && res.body !== null && !hasPath(res.body, String(v));
    case 'equals': {
      const values = (Array.isArray(v) ? v : [v]).map((x) => String(x));
      return new Set(values).size === 1;
    }
    case 'hasHeader':
      return !!res.headers[String(v).toLowerCase()];
    case 'headerEquals': {
      const [name, expected] = Array.isArray(v) ? v : [];
      const got = res.headers[String(name).toLowerCase()];
      return got !== undefined && got === String(expected ?? '');
    }
    case 'matchesRegexp':
      try {
        return new RegExp(templateText(value, ctx)).test(res.text);
      } catch {
        return false;
      }
    default:
      return false;
  }
}

export function runExpectations(
  list: readonly [string, unknown][],
  res: ExpectedResponse,
  ctx: TemplateContext,
): ExpectationResult[] {
  return list.map(([type, value]) => ({
    type,
    label: `${type} ${show(value)}`,
    ok: check(type, value, res, ctx),
  }));
}
