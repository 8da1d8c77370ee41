/**
 * Durations as people write them: `500ms`, `30s`, `5m`, `1h`, `1m30s`, or a plain number of
 * seconds. Parsed to milliseconds.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

export type Duration = string | number;

/**
 * Milliseconds, or undefined when `value` is not a duration. Numbers are seconds. Digits too many
 * for a number (`1` and 400 zeros) are not a duration: they would read as Infinity.
 */
export function parseDurationMs(value: unknown): number | undefined {
  const ms = parseMs(value);
  return ms !== undefined && Number.isFinite(ms) ? ms : undefined;
}

function parseMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2]] as number);
    pos = PART.lastIndex;
  }
  return total;
}
