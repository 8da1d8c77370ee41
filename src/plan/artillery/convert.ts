/**
 * `loadproof convert script.yml`: the equivalent TypeScript plan, so that a team can move on from
 * YAML. The plan has the same shape `loadproof run script.yml` builds: one scenario per phase,
 * the Artillery scenarios as functions of steps in a weighted mix, ensure as thresholds. Requests
 * keep Artillery's `{{ }}` templates and go through loadproof's `artillery` runtime, which
 * renders them and runs the processor's hooks, captures and expectations as Artillery does, so
 * the converted plan sends the same requests as the script.
 */

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PlanLoadError, PlanValidationError, UsageError } from '../../errors.ts';
import type { PlanFileOptions } from '../load.ts';
import { planShape, requestSpecOf } from './build.ts';
import { readArtilleryScript, shown } from './index.ts';
import type { ScriptModel, StepModel } from './model.ts';
import type { ParseIssue } from './parse.ts';
import { readYamlScript } from './yaml.ts';

export interface ConvertOptions extends PlanFileOptions {
  /** Where the plan will be written: relative paths are written from its folder (default: the script's). */
  outFile?: string;
}

/** Code to print as it is. */
export class Code {
  constructor(readonly code: string) {}
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof let new null return super switch this throw true try typeof var void while with yield await implements interface package private protected public static'.split(
    ' ',
  ),
);

function str(s: string): string {
  if (s.includes("'") && !s.includes('"')) return JSON.stringify(s);
  return `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

function key(k: string): string {
  return IDENT.test(k) ? k : str(k);
}

function member(obj: string, name: string): string {
  return IDENT.test(name) ? `${obj}.${name}` : `${obj}[${str(name)}]`;
}

/** A value as a TypeScript literal, on one line when it is short. */
export function print(v: unknown, indent: string, lead = 0): string {
  if (v instanceof Code) return v.code;
  if (v === undefined) return 'undefined';
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return str(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    const items = v.map((x) => print(x, inner));
    const flat = `[${items.join(', ')}]`;
    if (flat.length + indent.length + lead <= 100 && !flat.includes('\n')) return flat;
    return `[\n${items.map((x) => `${inner}${x},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) =>
    x instanceof Code && x.code === k && IDENT.test(k)
      ? k
      : `${key(k)}: ${print(x, inner, key(k).length + 2)}`,
  );
  if (entries.length === 0) return '{}';
  const flat = `{ ${entries.join(', ')} }`;
  if (flat.length + indent.length + lead <= 100 && !flat.includes('\n')) return flat;
  return `{\n${entries.map((e) => `${inner}${e},`).join('\n')}\n${indent}}`;
}

function identifier(name: string, used: Set<string>): string {
  const words = name
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let id = words
    .map((w, i) => (i === 0 ? w[0]?.toLowerCase() + w.slice(1) : w[0]?.toUpperCase() + w.slice(1)))
    .join('');
  if (!id || !/^[A-Za-z_$]/.test(id) || RESERVED.has(id))
    id = `scenario${id ? id[0]?.toUpperCase() + id.slice(1) : ''}`;
  let out = id;
  for (let k = 2; used.has(out); k++) out = `${id}${k}`;
  used.add(out);
  return out;
}

/** A file as a URL from the plan's folder; absolute when the two share no folder but the root. */
function fileUrl(absFile: string, fromDir: string): Code {
  let rel = relative(fromDir, absFile).split(sep).join('/');
  const up = rel.split('/').filter((s) => s === '..').length;
  if (isAbsolute(rel) || up >= fromDir.split(sep).filter(Boolean).length)
    return new Code(`new URL(${str(pathToFileURL(absFile).href)})`);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return new Code(`new URL(${str(rel)}, import.meta.url)`);
}

function steps(list: readonly StepModel[], indent: string, fn: (n: string) => Code): string[] {
  const out: string[] = [];
  for (const s of list) {
    switch (s.kind) {
      case 'request': {
        const spec = requestSpecOf(s.request, fn);
        out.push(`${indent}await u.${s.method.toLowerCase()}(${print(spec, indent, 16)});`);
        break;
      }
      case 'think':
        out.push(
          `${indent}await u.think(${print(s.seconds, indent)}${s.jitter !== undefined ? `, ${str(s.jitter)}` : ''});`,
        );
        break;
      case 'function':
        out.push(`${indent}await u.call(${fn(s.name).code});${s.hook ? ` // ${s.hook}` : ''}`);
        break;
      case 'log':
        out.push(`${indent}u.log(${print(s.message, indent)});`);
        break;
      case 'loop': {
        const { whileTrue, ...rest } = s.options;
        const opts = { ...rest, ...(whileTrue ? { whileTrue: fn(whileTrue) } : {}) };
        out.push(`${indent}await u.loop(${print(opts, indent)}, async () => {`);
        out.push(...steps(s.steps, `${indent}  `, fn));
        out.push(`${indent}});`);
        break;
      }
      case 'parallel': {
        out.push(`${indent}await u.parallel([`);
        for (const p of s.steps) {
          out.push(`${indent}  async () => {`);
          out.push(...steps([p], `${indent}    `, fn));
          out.push(`${indent}  },`);
        }
        out.push(`${indent}]${s.limit !== undefined ? `, ${s.limit}` : ''});`);
        break;
      }
    }
  }
  return out;
}

export function renderPlan(model: ScriptModel, warnings: string[], outDir: string): string {
  const issues: ParseIssue[] = [];
  const shape = planShape(model, issues);
  if (issues.length) throw new PlanValidationError(issues, model.file);
  const fn = (n: string) => new Code(member('processor', n));
  const lines: string[] = [];
  const scriptRel = relative(outDir, model.file).split(sep).join('/');
  const from = scriptRel.startsWith('../..') ? model.file : scriptRel;
  lines.push(`// Converted by \`loadproof convert\` from ${from} (an Artillery script).`);
  lines.push(
    "// Requests keep Artillery's {{ }} templates: loadproof's artillery runtime renders them and runs",
    '// the processor hooks, captures and expectations as Artillery does.',
  );
  if (model.environments.length)
    lines.push(
      `// Environment: ${model.environment ?? '(none: the base config)'}; the script defines ${model.environments.join(', ')}.`,
    );
  for (const w of warnings) lines.push(`// Not converted: ${w.replace(`${shown(model.file)}: `, '')}`);
  const imports = ['artillery', 'definePlan'];
  if (model.checks.some((c) => c.sql !== undefined)) imports.push('sqlCheck');
  lines.push(`import { ${imports.join(', ')} } from 'loadproof';`, '');
  if (model.processor) {
    lines.push(
      `const processor = await artillery.loadProcessor(${fileUrl(model.processor.absFile, outDir).code});`,
      '',
    );
  }
  if (model.targetSource !== undefined)
    lines.push(`const target = artillery.fromEnv(${str(model.targetSource)});`, '');
  const target = model.targetSource !== undefined ? new Code('target') : model.target;
  const options: Record<string, unknown> = { target };
  if (model.environment !== undefined) options.environment = model.environment;
  if (Object.keys(model.variables).length) options.variables = model.variables;
  if (model.payloads.length) {
    options.payload = model.payloads.map((p) => {
      const { path: _p, file: _f, absFile, ...rest } = p;
      return new Code(
        `artillery.loadPayload(${fileUrl(absFile, outDir).code}${Object.keys(rest).length ? `, ${print(rest, '    ')}` : ''})`,
      );
    });
  }
  if (Object.keys(model.defaults).length) options.defaults = model.defaults;
  if (model.expect) options.expect = model.expect;
  options.timeout = model.timeoutSec;
  options.scriptPath = fileUrl(model.file, outDir);
  lines.push(`const script = artillery.script(${print(options, '', 33)});`, '');

  const used = new Set<string>([
    'script',
    'processor',
    'scenarios',
    'artillery',
    'definePlan',
    'sqlCheck',
    'u',
    'target',
  ]);
  const specs: Record<string, unknown>[] = [];
  for (const s of model.scenarios) {
    const id = identifier(s.name, used);
    lines.push(`/** Artillery scenario "${s.name.replace(/\*\//g, '* /')}" (${s.path}). */`);
    lines.push(`async function ${id}(u: artillery.ArtilleryVu) {`);
    lines.push(...steps(s.steps, '  ', fn));
    lines.push('}', '');
    const spec: Record<string, unknown> = { name: s.name, weight: s.weight, run: new Code(id) };
    for (const k of ['beforeRequest', 'afterResponse', 'onError'] as const)
      if (s[k].length) spec[k] = s[k].map(fn);
    specs.push(spec);
  }
  lines.push(`const scenarios: artillery.ScenarioSpec[] = ${print(specs, '', 46)};`, '');

  const checks: Record<string, unknown> = {};
  for (const c of model.checks) {
    const when: Record<string, unknown> = {};
    if (c.description !== undefined) when.description = c.description;
    if (c.every !== undefined) when.every = c.every;
    if (c.before !== undefined) when.before = c.before;
    if (c.after !== undefined) when.after = c.after;
    if (c.sql !== undefined) {
      const url = new Code(
        `(ctx) => artillery.checkUrl(${c.url === undefined ? 'undefined' : str(c.url)}, ctx.env)`,
      );
      checks[c.name] = new Code(`sqlCheck(${print({ ...when, url, sql: c.sql }, '    ')})`);
    } else checks[c.name] = { ...when, run: new Code(`(ctx) => ${fn(c.function as string).code}(ctx)`) };
  }
  const plan: Record<string, unknown> = {
    name: shape.name,
    target,
    http: shape.http,
    metrics: shape.metrics,
    scenarios: Object.fromEntries(
      shape.phases.map((p) => [
        p.name,
        { ...p.scenario, flow: new Code(`script.flows(${p.firstArrival}, scenarios)`) },
      ]),
    ),
  };
  if (Object.keys(shape.thresholds).length) plan.thresholds = shape.thresholds;
  if (Object.keys(checks).length) plan.checks = checks;
  if (model.validity) plan.validity = model.validity;
  lines.push(`export default definePlan(${print(plan, '')});`, '');
  return lines.join('\n');
}

export interface Converted {
  source: string;
  /** What the script asks for that loadproof ignores (also comments in the source). */
  warnings: string[];
}

export async function convertArtilleryScript(file: string, options: ConvertOptions = {}): Promise<Converted> {
  const abs = resolve(file);
  if (!/\.ya?ml$/i.test(abs))
    throw new UsageError(`${file}: convert reads Artillery scripts (.yml, .yaml) and k6 scripts (.js, .mjs)`);
  if (!existsSync(abs)) throw new PlanLoadError(`script not found: ${file}`);
  const { model, warnings } = await readArtilleryScript(abs, options);
  const outDir = options.outFile ? dirname(resolve(options.outFile)) : dirname(abs);
  try {
    return { source: renderPlan(model, warnings, outDir), warnings };
  } catch (e) {
    if (e instanceof PlanValidationError) {
      const yaml = readYamlScript(abs);
      throw new PlanValidationError(
        e.issues.map((i) => {
          const line = yaml.lineOf(i.path);
          return line ? { ...i, message: `${i.message} (line ${line})` } : i;
        }),
        shown(abs),
      );
    }
    throw e;
  }
}
