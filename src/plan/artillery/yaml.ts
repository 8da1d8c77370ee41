/**
 * Reads a YAML script, keeping where each value was written: a syntax error names the file and
 * line, and a validation problem can name the line of the value it is about.
 */
import { isCollection, isNode, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { PlanLoadError } from '../../errors.ts';
import { readInputFile } from '../input-file.ts';

export interface YamlScript {
  data: unknown;
  /** 1-based line of the value at a path such as `config.phases[1].arrivalRate`, if found. */
  lineOf(path: string): number | undefined;
}

/** `config.phases[1].arrivalRate` → ['config', 'phases', 1, 'arrivalRate']. */
export function pathKeys(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g))
    out.push(m[1] !== undefined ? Number(m[1]) : (m[2] as string));
  return out;
}

export function readYamlScript(file: string, shown = file): YamlScript {
  const text = readInputFile(file, 'script').toString('utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = lines.linePos(err.pos[0]);
    throw new PlanLoadError(
      `${shown}:${pos.line}:${pos.col}: YAML syntax error: ${err.message.split('\n')[0]}`,
    );
  }
  // A key that is a list, a map or binary (`? [a, b]: 1`, `!!binary`) has no place in a
  // script; the YAML library would turn it into text with a warning printed to stderr.
  let badKey: { line?: number } | undefined;
  visit(doc, {
    Pair(_, { key }) {
      const named =
        !isCollection(key) && !(isScalar(key) && typeof key.value === 'object' && key.value !== null);
      if (named) return undefined;
      const range = isNode(key) ? key.range : undefined;
      badKey = range ? { line: lines.linePos(range[0]).line } : {};
      return visit.BREAK;
    },
  });
  if (badKey)
    throw new PlanLoadError(
      `${shown}${badKey.line ? `:${badKey.line}` : ''}: YAML error: a key must be a name, not a list, a map or binary data`,
    );
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 10_000 });
  } catch (e) {
    // An alias before its anchor, or aliases that expand past the limit: the parser accepts
    // both, building the values does not.
    let line: number | undefined;
    visit(doc, {
      Alias(_, node) {
        if (node.resolve(doc) !== undefined || !node.range) return undefined;
        line = lines.linePos(node.range[0]).line;
        return visit.BREAK;
      },
    });
    throw new PlanLoadError(`${shown}${line ? `:${line}` : ''}: YAML error: ${(e as Error).message}`);
  }
  return {
    data,
    lineOf(path: string) {
      const keys = pathKeys(path);
      while (keys.length) {
        const node = doc.getIn(keys, true);
        if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
        keys.pop();
      }
      return undefined;
    },
  };
}
