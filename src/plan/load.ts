/**
 * Reads a plan file (TypeScript or JavaScript module whose default export is a plan) and
 * validates it. File formats end here: nothing below plan/ knows them.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LoadproofError, PlanLoadError } from '../errors.ts';
import { isK6Script } from './k6/detect.ts';
import { registerPlanLoader } from './register.ts';
import type { Plan, PlanInput } from './types.ts';
import { validatePlan } from './validate.ts';

export const PLAN_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];
export const YAML_EXTENSIONS = ['.yml', '.yaml'];
/** JavaScript plan files that may be k6 scripts (recognised by their imports). */
const K6_EXTENSIONS = ['.js', '.mjs'];

/** Options that change how a plan file is read (the same in every thread). */
export interface PlanFileOptions {
  /** Artillery scripts: the `config.environments` entry to apply. */
  environment?: string;
  /** Artillery and k6 scripts: `--env K=V` values, seen by `{{ $env.K }}` in config and by k6's `__ENV` (over process.env). */
  env?: Record<string, string>;
  /** k6 scripts: remote modules from the module cache only (`--offline`). */
  offline?: boolean;
  /** k6 scripts: read once already in this run, its remote modules are in the cache (the engine's workers). */
  modulesCached?: boolean;
}

export interface LoadedPlan {
  plan: Plan;
  file: string;
  baseDir: string;
  /** What the plan file asks for that loadproof ignores (Artillery scripts), to print once. */
  warnings: string[];
}

let loads = 0;

export async function importPlanModule(file: string): Promise<unknown> {
  await registerPlanLoader();
  let mod: Record<string, unknown>;
  try {
    // A new module instance each time: a plan read again (after its data changed) is read anew.
    mod = (await import(`${pathToFileURL(file).href}?load=${++loads}`)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof LoadproofError) throw e;
    const err = e as Error;
    throw new PlanLoadError(`${file}: the plan could not be loaded: ${err.message}`);
  }
  const input = mod.default ?? mod.plan;
  if (input === undefined) {
    throw new PlanLoadError(
      `${file}: no plan found: export it as default (export default definePlan({...}))`,
    );
  }
  return input;
}

export async function loadPlanFile(path: string, options: PlanFileOptions = {}): Promise<LoadedPlan> {
  const read = await readPlanInput(path, options);
  return {
    plan: validatePlan(read.input, path),
    file: read.file,
    baseDir: dirname(read.file),
    warnings: read.warnings,
  };
}

/** A plan file's plan as written (not validated yet), and its warnings. */
export interface PlanFileInput {
  input: unknown;
  file: string;
  warnings: string[];
}

/** Reads a plan file: runs its top-level code (k6 init code) in this thread. */
export async function readPlanInput(path: string, options: PlanFileOptions = {}): Promise<PlanFileInput> {
  const file = resolve(path);
  if (!existsSync(file) || !statSync(file).isFile()) throw new PlanLoadError(`plan file not found: ${path}`);
  const ext = extname(file).toLowerCase();
  let input: unknown;
  let warnings: string[] = [];
  if (YAML_EXTENSIONS.includes(ext)) {
    const { loadArtilleryScript } = await import('./artillery/index.ts');
    const loaded = await loadArtilleryScript(file, options);
    input = loaded.input;
    warnings = loaded.warnings;
  } else if (K6_EXTENSIONS.includes(ext) && isK6Script(file)) {
    const { loadK6Script } = await import('./k6/index.ts');
    const loaded = await loadK6Script(file, options);
    input = loaded.input;
    warnings = loaded.warnings;
  } else if (PLAN_EXTENSIONS.includes(ext)) {
    if (options.environment !== undefined) {
      throw new PlanLoadError(`--environment applies to Artillery scripts (.yml), not to ${path}`);
    }
    input = await importPlanModule(file);
  } else {
    throw new PlanLoadError(
      `${path}: unsupported plan file type "${ext}"; expected ${[...PLAN_EXTENSIONS, ...YAML_EXTENSIONS].join(', ')}`,
    );
  }
  return { input, file, warnings };
}

/** Identity at run time; gives a plan file its types. */
export function definePlan<Setup = any>(plan: PlanInput<Setup>): PlanInput<Setup> {
  return plan;
}
