/**
 * Path and query parameters, checked before a handler hands them to PostgreSQL: a NUL character
 * (`%00`) cannot be stored in a text value, so PostgreSQL would refuse the statement (a 500);
 * it is 400 here, naming the parameter. Numbers are read strictly: decimal digits only, within
 * what a JavaScript number holds exactly, so `0x10`, `1e3` or 30 digits are refused rather than
 * read as something else.
 */
import type { FastifyInstance } from 'fastify';
import { fail } from './http.ts';

function firstWithNul(values: unknown, where: string): string | undefined {
  if (values === null || typeof values !== 'object') return undefined;
  for (const [name, value] of Object.entries(values)) {
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((t) => typeof t === 'string' && t.includes('\u0000'))) return `${name}${where}`;
  }
  return undefined;
}

/** 400 for a path or query parameter holding a NUL character, before any handler runs. */
export function installParameterChecks(app: FastifyInstance): void {
  app.addHook('preValidation', async (req, reply) => {
    const at = firstWithNul(req.params, ' (path)') ?? firstWithNul(req.query, '');
    if (at === undefined) return;
    const field = at.replace(/ \(path\)$/, '');
    return fail(reply, 400, 'bad_request', `${at}: contains a NUL character (%00), which is not accepted`, {
      field,
    });
  });
}

const DIGITS = /^[0-9]{1,16}$/;

/**
 * A query parameter that must be an integer from `min` to `max`: `fallback` when absent, else
 * the number, or undefined when the text is not one (not digits, or out of range).
 */
export function integerParameter(
  text: string | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return fallback;
  if (!DIGITS.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}
