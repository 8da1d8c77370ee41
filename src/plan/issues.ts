/**
 * The validation toolkit every script format shares (TypeScript plans, Artillery YAML, k6
 * scripts): one way to collect problems, to name where they are and to word them.
 *
 * - `Issues` collects errors and warnings, each with a path written as users read it
 *   (`scenarios.browse.rate`, `config.phases[1].arrivalRate`) and, when the reader knows it, the
 *   line of the file. All problems are reported at once, never only the first.
 * - `typeName(v)` names a value a message did not expect (`string "ten"`, `NaN`, `an array`).
 * - `isObject`, `joinPath`, `didYouMean` are the small helpers formats build on.
 * - The checks on `Issues` (`unknownKeys`, `object`, `string`, `boolean`, `number`, `duration`,
 *   `baseUrl`, `weightsCycle`) record a problem at the path and return `undefined` (or skip the
 *   value), so a reader goes on and finds the next problem.
 * - `planIssues(list, lineOf)` turns the collected issues into the `PlanIssue`s a
 *   `PlanValidationError` carries, with `(line N)` after the message when a line is known.
 *
 * A format that needs its own wording keeps it, built on `error`/`warn`; what is common lives
 * here, so the same mistake reads the same whichever format it was made in.
 */
import type { PlanIssue } from '../errors.ts';
import { parseDurationMs } from './duration.ts';
import { LIMITS, MAX_DURATION_TEXT, mixCycleLength } from './limits.ts';
import { scalarName } from './value-name.ts';

export interface Issue {
  /** Where, as the user wrote it: `scenarios.main.rate`, `config.phases[0]`, `(plan)`. */
  path: string;
  message: string;
  /** 1-based line in the script, when the reader knows it. */
  line?: number;
}

export interface NumberRule {
  /** Whole numbers only. */
  integer?: boolean;
  /** Greater than 0. */
  positive?: boolean;
  /** 0 or more. */
  nonNegative?: boolean;
  max?: number;
  /** Numeric text (`"10"`, as YAML may give) counts as the number. */
  text?: boolean;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a message names a value it did not expect: `number -5`, `string "ten"`, `an array`. */
export function typeName(v: unknown): string {
  return Array.isArray(v) ? 'an array' : scalarName(v);
}

/** `joinPath('scenarios.main', 'rate')` → `scenarios.main.rate`; an empty base gives the key. */
export function joinPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

/**
 * The allowed key an unknown one most likely meant: the same name in another case, else the one
 * closest by a typo or two (a letter missing, added, changed or two swapped), when only one is.
 */
export function didYouMean(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameName = allowed.find((a) => a.toLowerCase() === lower);
  if (sameName !== undefined) return sameName;
  const most = Math.min(2, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = most + 1;
  let ties = 0;
  for (const a of allowed) {
    const d = typoDistance(lower, a.toLowerCase(), most);
    if (d < bestDistance) [best, bestDistance, ties] = [a, d, 0];
    else if (d === bestDistance) ties++;
  }
  return ties === 0 ? best : undefined;
}

/** Edits (insert, delete, change, swap two neighbours) from a to b; past `most` only `most + 1`. */
function typoDistance(a: string, b: string, most: number): number {
  if (Math.abs(a.length - b.length) > most) return most + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const change = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + change);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return Math.min((rows[a.length] as number[])[b.length] as number, most + 1);
}

/** `a positive integer`, `a non-negative number`, `a number`: what a number rule asks for. */
function numberNoun(rule: NumberRule): string {
  const kind = rule.integer ? 'integer' : 'number';
  if (rule.positive) return `a positive ${kind}`;
  if (rule.nonNegative) return `a non-negative ${kind}`;
  return rule.integer ? 'an integer' : 'a number';
}

export class Issues {
  readonly errors: Issue[] = [];
  readonly warnings: Issue[] = [];

  /** Where a path is reported; a format may point a value to where it really came from. */
  protected locate(path: string): string {
    return path;
  }
  error(path: string, message: string, line?: number): void {
    this.errors.push({ path: this.locate(path), message, ...(line !== undefined ? { line } : {}) });
  }
  warn(path: string, message: string, line?: number): void {
    this.warnings.push({ path: this.locate(path), message, ...(line !== undefined ? { line } : {}) });
  }

  /** Every key of `obj` not in `allowed`, each an error, with a did-you-mean when one fits. */
  unknownKeys(path: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (allowed.includes(k)) continue;
      const hint = didYouMean(k, allowed);
      this.error(joinPath(path, k), `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
  object(path: string, v: unknown): Record<string, unknown> | undefined {
    if (isObject(v)) return v;
    this.error(path, `expected an object, got ${typeName(v)}`);
    return undefined;
  }
  string(path: string, v: unknown): string | undefined {
    if (typeof v === 'string') return v;
    this.error(path, `expected a string, got ${typeName(v)}`);
    return undefined;
  }
  boolean(path: string, v: unknown): boolean | undefined {
    if (typeof v === 'boolean') return v;
    this.error(path, `expected true or false, got ${typeName(v)}`);
    return undefined;
  }
  /** A finite number within the rule: `expected a positive integer, got number 0`. */
  number(path: string, v: unknown, rule: NumberRule = {}): number | undefined {
    const n = rule.text && typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
    const ok =
      typeof n === 'number' &&
      Number.isFinite(n) &&
      (!rule.integer || Number.isInteger(n)) &&
      (!rule.positive || n > 0) &&
      (!rule.nonNegative || n >= 0);
    if (!ok) {
      this.error(path, `expected ${numberNoun(rule)}, got ${typeName(v)}`);
      return undefined;
    }
    if (rule.max !== undefined && n > rule.max) {
      this.error(path, `must be at most ${rule.max}, got ${n}`);
      return undefined;
    }
    return n;
  }
  /**
   * Milliseconds of a duration (`"30s"`, `"500ms"`, `"1m30s"`, or a number of seconds), at most
   * the duration limit; `positive` refuses 0.
   */
  duration(path: string, v: unknown, rule: { positive?: boolean } = {}): number | undefined {
    const ms = parseDurationMs(v);
    if (ms === undefined) {
      this.error(
        path,
        `expected a duration like "30s", "500ms", "5m" or a number of seconds, got ${typeName(v)}`,
      );
      return undefined;
    }
    if (ms > LIMITS.durationMs) {
      this.error(path, `must be at most ${MAX_DURATION_TEXT}, got ${typeName(v)}`);
      return undefined;
    }
    if (rule.positive && ms <= 0) {
      this.error(path, `must be longer than 0, got ${typeName(v)}`);
      return undefined;
    }
    return ms;
  }
  /** The base URL requests go to, without a trailing slash; '' when it is not an http(s) URL. */
  baseUrl(path: string, text: string): string {
    try {
      const u = new URL(text);
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        this.error(path, `expected an http(s) URL, got "${text}"`);
      return text.replace(/\/+$/, '');
    } catch {
      this.error(path, `not a valid URL: "${text}"`);
      return '';
    }
  }
  /** A weighted mix (of flows, of scenarios) whose cycle would be past the limit. */
  weightsCycle(path: string, weights: readonly number[]): void {
    const cycle = mixCycleLength(weights);
    if (cycle > LIMITS.mixCycle)
      this.error(
        path,
        `the weights add up to ${cycle} after dividing by their common divisor; at most ${LIMITS.mixCycle}`,
      );
  }
}

/** The issues as a `PlanValidationError` carries them: `(line N)` follows a message with a line. */
export function planIssues(
  list: readonly Issue[],
  lineOf?: (path: string) => number | undefined,
): PlanIssue[] {
  return list.map((i) => {
    const line = i.line ?? lineOf?.(i.path);
    return { path: i.path, message: line ? `${i.message} (line ${line})` : i.message };
  });
}
