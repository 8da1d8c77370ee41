/**
 * Artillery processors: the module named by `config.processor` (CommonJS or ESM, path relative
 * to the script), and calling its functions with Artillery's signatures. A function may call its
 * callback (`done(err)`), return a promise, or both; an error either way fails the virtual user.
 */
import Module from 'node:module';
import { dirname, extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PlanLoadError } from '../../errors.ts';
import { readInputFile } from '../input-file.ts';
import { registerPlanLoader } from '../register.ts';

export type ArtilleryFn = (...args: any[]) => unknown;
export type Processor = Record<string, ArtilleryFn>;

/** CommonJS by its syntax: `module.exports`, `exports.x` or `require()`, and no import/export statement. */
export function looksCommonJs(source: string): boolean {
  const esm = /^\s*(import\s[^(]|import\{|export\s|export\{)/m.test(source);
  const cjs = /\bmodule\.exports\b|\bexports\.[A-Za-z_$]|\brequire\s*\(/.test(source);
  return cjs && !esm;
}

/**
 * Compiles a CommonJS file as CommonJS whatever the nearest package.json says: a processor
 * written for Artillery uses `module.exports` even inside a `"type": "module"` project.
 */
function loadCommonJs(file: string, source: string): unknown {
  const M = Module as unknown as {
    new (id: string, parent?: unknown): { filename: string; paths: string[]; exports: unknown };
    _nodeModulePaths(dir: string): string[];
  };
  const m = new M(file);
  m.filename = file;
  m.paths = M._nodeModulePaths(dirname(file));
  (m as unknown as { _compile(src: string, file: string): void })._compile(source, file);
  return m.exports;
}

let loads = 0;

/** Loads a processor module; its functions, from named exports and from an exported object. */
export async function loadProcessor(where: string | URL): Promise<Processor> {
  const file = where instanceof URL ? fileURLToPath(where) : resolve(where);
  const source = readInputFile(file, 'processor').toString('utf8');
  const ext = extname(file).toLowerCase();
  let mod: unknown;
  try {
    if (ext === '.cjs' || ((ext === '.js' || ext === '') && looksCommonJs(source))) {
      mod = loadCommonJs(file, source);
    } else {
      if (ext === '.ts' || ext === '.mts' || ext === '.cts') await registerPlanLoader();
      mod = await import(`${pathToFileURL(file).href}?processor=${++loads}`);
    }
  } catch (e) {
    throw new PlanLoadError(`processor ${file} could not be loaded: ${(e as Error).message}`);
  }
  return functionsOf(mod);
}

function functionsOf(mod: unknown): Processor {
  const out: Processor = {};
  const add = (o: unknown) => {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return;
    for (const [k, v] of Object.entries(o as Record<string, unknown>))
      if (typeof v === 'function' && k !== 'default') out[k] = v as ArtilleryFn;
  };
  const m = mod as Record<string, unknown>;
  if (m && typeof m === 'object' && 'default' in m) add(m.default);
  add(mod);
  return out;
}

function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}

/**
 * Calls `fn(...args, done)`. Resolves when `done()` is called or the returned promise settles;
 * a function that takes no callback and returns no promise is done when it returns.
 */
export function callArtillery(fn: ArtilleryFn, args: unknown[]): Promise<void> {
  return new Promise<void>((resolvePromise, reject) => {
    let settled = false;
    const done = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err) reject(toError(err));
      else resolvePromise();
    };
    let result: unknown;
    try {
      result = fn(...args, done);
    } catch (e) {
      done(e ?? new Error('processor function threw'));
      return;
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => done(),
        (e) => done(e ?? new Error('processor function rejected')),
      );
    } else if (fn.length <= args.length) done();
  });
}

/** `whileTrue(context, next)`: next(boolean), or a returned (promise of a) boolean. */
export function callCondition(fn: ArtilleryFn, context: unknown): Promise<boolean> {
  return new Promise<boolean>((resolvePromise, reject) => {
    let settled = false;
    const next = (v: unknown) => {
      if (settled) return;
      settled = true;
      resolvePromise(!!v);
    };
    let result: unknown;
    try {
      result = fn(context, next);
    } catch (e) {
      settled = true;
      reject(toError(e));
      return;
    }
    if (result && typeof (result as Promise<unknown>).then === 'function')
      (result as Promise<unknown>).then(next, (e) => {
        if (!settled) {
          settled = true;
          reject(toError(e));
        }
      });
    else if (fn.length < 2) next(result);
  });
}
