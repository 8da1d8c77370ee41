/**
 * Mutations of a file's text, for what structure-aware mutations cannot reach: YAML syntax
 * (indentation, flow collections, anchors, tags, tabs) and CSV syntax (quotes, delimiters, line
 * ends). A line deleted, duplicated or re-indented; characters inserted; the text cut short.
 */
import type { Random } from './random.ts';

const FRAGMENTS = [
  ':',
  '- ',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '#',
  '&a ',
  '*a',
  '*nope',
  '!!int ',
  '!!binary ',
  '? ',
  '|',
  '>',
  '\t',
  '\r',
  '\n',
  '\\',
  ',',
  ';',
  '""',
  '"a""b"',
  '\uFEFF',
  '\u0000',
  '%YAML 1.1\n',
  '---\n',
  '...\n',
  '<<: *a\n',
  '.nan',
  '.inf',
  '-.inf',
  '0x10',
  '1e400',
  '~',
  'null',
  '{{',
  '}}',
];

export function mutateText(text: string, r: Random): string {
  let out = text;
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    const lines = out.split('\n');
    const at = r.int(lines.length);
    switch (r.int(6)) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, lines[r.int(lines.length)] as string);
        break;
      case 2:
        lines[at] = r.pick(['', ' ', '  ', '\t']) + (lines[at] as string).replace(/^ {0,2}/, '');
        break;
      case 3: {
        const line = lines[at] as string;
        const col = r.int(line.length + 1);
        lines[at] = line.slice(0, col) + r.pick(FRAGMENTS) + line.slice(col);
        break;
      }
      case 4:
        return lines.join('\n').slice(0, r.int(out.length + 1));
      default:
        lines[at] = (lines[at] as string).split('').reverse().join('');
    }
    out = lines.join('\n');
  }
  return out;
}
