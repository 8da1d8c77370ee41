/**
 * The mutants: the repository's Artillery scripts (test/plan/artillery/fixtures, the clinic seed's
 * suite among them) and TypeScript plans (ts-seeds.ts), each mutated by structure, by text, or
 * given a mutated CSV. Mutant `i` of seed `s` depends on nothing else, so one can be made again
 * alone. Files go into a copy of the fixtures folder, so processors and payloads are found.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { mutateText } from './mutate-text.ts';
import { cloneTree, mutateTree } from './mutate-tree.ts';
import { printPlan } from './print-plan.ts';
import { Random } from './random.ts';
import { TS_SEEDS } from './ts-seeds.ts';

export const FIXTURES = new URL('../plan/artillery/fixtures/', import.meta.url).pathname;

export interface Mutant {
  id: number;
  kind: 'yaml' | 'ts';
  /** The seed: a fixture's path, or a TypeScript seed's name. */
  seed: string;
  how: 'tree' | 'text' | 'csv';
  file: string;
  /** The mutated plan as data, when it has one (not after a text mutation). */
  tree?: unknown;
}

export interface Corpus {
  dir: string;
  mutants: Mutant[];
  /** The same mutant with its target set to `target`, written beside it (undefined: no tree to set it in). */
  withTarget(m: Mutant, target: string): string | undefined;
}

function ymlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

const CSV_SEEDS = ['users.csv', 'products.csv'];

const CLINIC_FIXTURE = {
  authorizations: [
    { id: 'a-50', organizationId: 'o-1', totalUnits: 50 },
    { id: 'a-1000', organizationId: 'o-1', totalUnits: 1000 },
    { id: 'a-200-1', organizationId: 'o-1', totalUnits: 200 },
    { id: 'a-200-2', organizationId: 'o-1', totalUnits: 200 },
  ],
  practitioners: [{ token: 'not-a-real-token', organizationId: 'o-1', userId: 'u-1' }],
  highContentionAuthIds: ['a-50'],
  authorizationIds: ['a-50', 'a-1000', 'a-200-1', 'a-200-2'],
  practitionerTokens: ['not-a-real-token'],
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function makeCorpus(dir: string, count: number, seed: number): Corpus {
  const scripts = join(dir, 'artillery');
  cpSync(FIXTURES, scripts, { recursive: true });
  // The clinic suite's processor reads what its setup writes; a small stand-in, with no secret.
  mkdirSync(join(scripts, 'clinic-suite', 'fixtures'));
  writeFileSync(join(scripts, 'clinic-suite', 'fixtures', 'test-data.json'), JSON.stringify(CLINIC_FIXTURE));
  const tsDir = join(dir, 'ts');
  mkdirSync(tsDir, { recursive: true });
  for (const c of CSV_SEEDS) cpSync(join(FIXTURES, c), join(tsDir, c));
  const yamlSeeds = ymlFiles(scripts).map((file) => {
    const text = readFileSync(file, 'utf8');
    return { file, text, tree: parse(text) as unknown };
  });
  const tsSeeds = Object.entries(TS_SEEDS);

  const mutants: Mutant[] = [];
  for (let id = 0; id < count; id++) {
    const r = new Random(seed * 1_000_003 + id);
    const mutatedCsv = (near: string) => {
      const name = `mut-${id}.csv`;
      writeFileSync(join(near, name), mutateText(readFileSync(join(FIXTURES, r.pick(CSV_SEEDS)), 'utf8'), r));
      return name;
    };
    if (r.chance(0.5)) {
      const s = r.pick(yamlSeeds);
      const file = join(dirname(s.file), `${basename(s.file, '.yml')}.mut-${id}.yml`);
      const name = relative(scripts, s.file);
      if (r.chance(0.2)) {
        writeFileSync(file, mutateText(s.text, r));
        mutants.push({ id, kind: 'yaml', seed: name, how: 'text', file });
        continue;
      }
      const tree = mutateTree(s.tree, r);
      let how: Mutant['how'] = 'tree';
      const config = isObject(tree) ? tree.config : undefined;
      if (r.chance(0.15) && isObject(config)) {
        const csv = mutatedCsv(dirname(s.file));
        config.payload = [{ path: csv, fields: ['a', 'b'], ...(r.chance(0.5) ? { delimiter: ';' } : {}) }];
        how = 'csv';
      }
      writeFileSync(file, stringify(tree));
      mutants.push({ id, kind: 'yaml', seed: name, how, file, tree });
    } else {
      const [name, plan] = r.pick(tsSeeds);
      const tree = mutateTree(plan, r);
      let how: Mutant['how'] = 'tree';
      if (r.chance(0.15) && isObject(tree)) {
        tree.data = { rows: { file: mutatedCsv(tsDir) } };
        how = 'csv';
      }
      const file = join(tsDir, `mut-${id}.ts`);
      writeFileSync(file, printPlan(tree));
      mutants.push({ id, kind: 'ts', seed: name, how, file, tree });
    }
  }

  return {
    dir,
    mutants,
    withTarget(m, target) {
      if (m.tree === undefined) return undefined;
      const tree = cloneTree(m.tree);
      if (m.kind === 'ts') {
        if (!isObject(tree)) return undefined;
        tree.target = target;
        const file = m.file.replace(/\.ts$/, '.loopback.ts');
        writeFileSync(file, printPlan(tree));
        return file;
      }
      if (!isObject(tree) || !isObject(tree.config)) return undefined;
      tree.config.target = target;
      // An environment could bring another target; the CLI is never given one, but leave none.
      delete tree.config.environments;
      const file = m.file.replace(/\.yml$/, '.loopback.yml');
      writeFileSync(file, stringify(tree));
      return file;
    },
  };
}
