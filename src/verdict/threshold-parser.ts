/**
 * Threshold expressions, k6's syntax, parsed before any load is sent.
 *
 *   threshold   := aggregation ws* operator ws* number
 *   aggregation := "avg" | "min" | "max" | "med" | "count" | "rate" | "rps" | "value"
 *                | "p(" number ")"                      (0 <= number <= 100)
 *   operator    := "<" | "<=" | ">" | ">=" | "==" | "===" | "!="
 *   number      := ["-"] digit+ ["." digit+]
 *
 * The metric a threshold names (`http_req_duration{method:POST}`) follows metrics/keys.ts.
 * Times are milliseconds, rates are fractions (0.01 = 1%), rps is per second over the run.
 */
import { ThresholdSyntaxError } from '../errors.ts';
import { filterKey, parseMetricKey, scenarioKey } from '../metrics/keys.ts';

export type Aggregation =
  | { kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'rps' | 'value' }
  | { kind: 'percentile'; p: number };

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface ParsedThreshold {
  source: string;
  aggregation: Aggregation;
  operator: Operator;
  value: number;
}

const EXPR =
  /^\s*(avg|min|max|med|count|rate|rps|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

export function parseThreshold(source: string): ParsedThreshold {
  if (typeof source !== 'string') throw new ThresholdSyntaxError('threshold must be a string');
  const m = EXPR.exec(source);
  if (!m) {
    throw new ThresholdSyntaxError(
      `malformed threshold "${source}": expected <aggregation> <operator> <number>, e.g. p(95)<200, rate<0.01, count>=100`,
    );
  }
  const [, agg, pct, op, num] = m as unknown as [string, string, string | undefined, string, string];
  let aggregation: Aggregation;
  if (pct !== undefined) {
    const p = Number(pct);
    if (p < 0 || p > 100)
      throw new ThresholdSyntaxError(`malformed threshold "${source}": percentile must be 0..100`);
    aggregation = { kind: 'percentile', p };
  } else aggregation = { kind: agg as Exclude<Aggregation, { kind: 'percentile' }>['kind'] };
  return { source, aggregation, operator: (op === '===' ? '==' : op) as Operator, value: Number(num) };
}

export function compare(actual: number, op: Operator, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/** Which aggregations each metric type supports. */
export const AGGREGATIONS_BY_TYPE = {
  trend: ['avg', 'min', 'max', 'med', 'percentile', 'count', 'rps'],
  counter: ['count', 'rate', 'rps'],
  rate: ['rate', 'count'],
  gauge: ['value', 'min', 'max'],
} as const;

/** The series key a threshold reads. */
export function thresholdSeriesKey(source: string): string {
  const { filters } = parseMetricKey(source);
  if (filters.length === 1 && filters[0]?.[0] === 'scenario') return scenarioKey(filters[0][1]);
  return filterKey(filters);
}
