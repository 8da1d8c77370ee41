/**
 * The layers of src/ import one way only (ARCHITECTURE.md): a file may import from its own layer
 * and from the layers below it, never from one above. services/, suites/, bench/ and scripts/
 * use loadproof as a user does: through its package entries ('loadproof', 'loadproof/report',
 * ...), never a file under src/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, it } from 'node:test';

const REPO = new URL('../../', import.meta.url).pathname;

/**
 * An executor is one folder, `src/executors/<name>/`, whose files sit in three layers by name:
 * `config.ts` (its scenario's types) in the plan vocabulary, `run.ts` (how it paces VUs) in the
 * engine, everything else (`definition.ts`: keys, validation, VU needs) in the plan. The files
 * beside the folders follow the same rule (`run-*.ts` are the engine's). So the plan never
 * imports a run, and one folder still holds all of an executor.
 */
const EXECUTOR_RUN = /^src\/executors\/(.+\/)?run(-[^/]+)?\.ts$/;
const EXECUTOR_PLAN_SIDE = {
  test: (path: string) => /^src\/(plan|executors)\//.test(path) && !EXECUTOR_RUN.test(path),
};
const EXECUTOR_ENGINE_SIDE = {
  test: (path: string) => /^src\/engine\//.test(path) || EXECUTOR_RUN.test(path),
};

/**
 * The layers, lowest first. A file belongs to the first layer whose pattern matches its path
 * (relative to the repository, with forward slashes).
 */
export const LAYERS: readonly { name: string; files: { test(path: string): boolean } }[] = [
  { name: 'foundation', files: /^src\/(errors|version)\.ts$/ },
  { name: 'metrics', files: /^src\/metrics\// },
  { name: 'results', files: /^src\/results\// },
  { name: 'plan vocabulary', files: /^src\/(plan\/(types|duration)\.ts|executors\/(.+\/)?config\.ts)$/ },
  { name: 'verdict', files: /^src\/verdict\// },
  { name: 'checks', files: /^src\/checks\// },
  { name: 'plan', files: EXECUTOR_PLAN_SIDE },
  { name: 'engine', files: EXECUTOR_ENGINE_SIDE },
  { name: 'outputs', files: /^src\/outputs\// },
  { name: 'report', files: /^src\/report\// },
  { name: 'k8s', files: /^src\/k8s\// },
  { name: 'run', files: /^src\/run\// },
  { name: 'suite', files: /^src\/suite\// },
  { name: 'cli', files: /^src\/cli\// },
  { name: 'package entries', files: /^src\/(index\.ts$|public\/)/ },
];

export function layerOf(path: string): number | undefined {
  const i = LAYERS.findIndex((l) => l.files.test(path));
  return i < 0 ? undefined : i;
}

/** Every module specifier a source imports or re-exports, dynamic imports included. */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '');
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(m[1] as string);
  return found;
}

export interface SourceFile {
  /** Relative to the repository, with forward slashes. */
  path: string;
  source: string;
}

/** Each import of a lower layer from a higher one, as `file imports target (layer a -> layer b)`. */
export function layerViolations(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    if (from === undefined) continue;
    for (const spec of importSpecifiers(file.source)) {
      if (!spec.startsWith('.')) continue;
      const target = posix.normalize(posix.join(posix.dirname(file.path), spec));
      const to = layerOf(target);
      if (to === undefined || to <= from) continue;
      out.push(`${file.path} imports ${spec} (${LAYERS[from]?.name} -> ${LAYERS[to]?.name}, a higher layer)`);
    }
  }
  return out;
}

/** Each import that reaches into src/ from outside it, instead of through a package entry. */
export function entryViolations(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    for (const spec of importSpecifiers(file.source)) {
      if (!spec.startsWith('.')) continue;
      const target = posix.normalize(posix.join(posix.dirname(file.path), spec));
      if (target.startsWith('src/'))
        out.push(`${file.path} imports ${spec}: use a package entry ('loadproof', 'loadproof/...')`);
    }
  }
  return out;
}

function sourcesUnder(folder: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (/\.(ts|mts|mjs|js|cjs)$/.test(entry.name)) {
        out.push({ path: relative(REPO, full).split('\\').join('/'), source: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(join(REPO, folder));
  return out;
}

describe('import direction', () => {
  it('finds imports and re-exports, on one line or several, and dynamic imports', () => {
    const source = `/** import { x } from './in-a-comment.ts'; */
import { a } from './a.ts';
import type {
  B,
  C,
} from '../b.ts';
export { d } from './d.ts';
export * as e from './e.ts';
import './side-effect.ts';
const f = await import('./f.ts');
`;
    assert.deepEqual(importSpecifiers(source).sort(), [
      '../b.ts',
      './a.ts',
      './d.ts',
      './e.ts',
      './f.ts',
      './side-effect.ts',
    ]);
  });

  it('every file of src/ belongs to a layer', () => {
    const lost = sourcesUnder('src')
      .filter((f) => f.path.endsWith('.ts'))
      .filter((f) => layerOf(f.path) === undefined)
      .map((f) => f.path);
    assert.deepEqual(lost, []);
  });

  it('fails on a lower layer importing a higher one, naming the file and the import', () => {
    const bad: SourceFile[] = [
      { path: 'src/metrics/store.ts', source: "import type { Tick } from '../engine/thread-run.ts';\n" },
      { path: 'src/results/types.ts', source: "export { x } from '../run/run.ts';\n" },
      { path: 'src/engine/vu.ts', source: "import type { Plan } from '../plan/types.ts';\n" },
    ];
    assert.deepEqual(layerViolations(bad), [
      'src/metrics/store.ts imports ../engine/thread-run.ts (metrics -> engine, a higher layer)',
      'src/results/types.ts imports ../run/run.ts (results -> run, a higher layer)',
    ]);
  });

  it("places an executor folder's files by name: config in the vocabulary, run in the engine, the rest in the plan", () => {
    const layerName = (path: string) => LAYERS[layerOf(path) ?? -1]?.name;
    assert.deepEqual(
      [
        'src/executors/config.ts',
        'src/executors/constant-vus/config.ts',
        'src/executors/constant-vus/definition.ts',
        'src/executors/index.ts',
        'src/executors/stages.ts',
        'src/executors/constant-vus/run.ts',
        'src/executors/run-registry.ts',
        'src/executors/run-context.ts',
      ].map(layerName),
      ['plan vocabulary', 'plan vocabulary', 'plan', 'plan', 'plan', 'engine', 'engine', 'engine'],
    );
    const bad: SourceFile[] = [
      {
        path: 'src/executors/constant-vus/definition.ts',
        source: "import { constantVusRun } from './run.ts';\n",
      },
      {
        path: 'src/executors/constant-vus/config.ts',
        source: "import type { ExecutorDefinition } from '../definition.ts';\n",
      },
      { path: 'src/executors/constant-vus/run.ts', source: "import type { ConfigOf } from '../index.ts';\n" },
    ];
    assert.deepEqual(layerViolations(bad), [
      'src/executors/constant-vus/definition.ts imports ./run.ts (plan -> engine, a higher layer)',
      'src/executors/constant-vus/config.ts imports ../definition.ts (plan vocabulary -> plan, a higher layer)',
    ]);
  });

  it('no module of src/ imports against the arrows', () => {
    assert.deepEqual(layerViolations(sourcesUnder('src')), []);
  });

  it('fails on a file outside src/ reaching into it', () => {
    const bad: SourceFile[] = [
      { path: 'suites/clinic/run.ts', source: "import { EXIT } from '../../src/errors.ts';\n" },
      { path: 'suites/clinic/plans/a.ts', source: "import { definePlan } from 'loadproof';\n" },
    ];
    assert.deepEqual(entryViolations(bad), [
      "suites/clinic/run.ts imports ../../src/errors.ts: use a package entry ('loadproof', 'loadproof/...')",
    ]);
  });

  for (const folder of ['services', 'suites', 'bench', 'scripts'])
    it(`${folder}/ imports loadproof only through its package entries`, () => {
      assert.deepEqual(entryViolations(sourcesUnder(folder)), []);
    });
});
