/**
 * How an error message names a value it did not expect: `number -5`, `string "ten"`, `NaN`,
 * `Infinity`. JSON.stringify alone would call NaN and Infinity `null` and throw on a bigint.
 */
export function scalarName(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return 'nothing';
    case 'number':
      return Number.isFinite(v) ? `number ${JSON.stringify(v)}` : String(v);
    case 'bigint':
      return `bigint ${v}n`;
    case 'string':
    case 'boolean':
      return `${typeof v} ${JSON.stringify(v)}`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return v === null ? 'null' : 'an object';
  }
}
