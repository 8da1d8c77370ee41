/**
 * The realm a k6 script runs in: a node:vm context per thread (k6 gives each VU a runtime of
 * its own; here each worker thread has one, its VUs sharing it), holding only JavaScript's
 * built-ins, k6's globals (`__ENV`, `__VU`, `__ITER`, `console`, `open`, `require`) and the
 * modules the script imports, resolved as k6 resolves them (resolve.ts). Nothing of Node is in
 * it: `process`, Node's `require` and Node's modules are not there, and what the script changes
 * of its built-ins (Array.prototype, JSON, Math) is the realm's, not the engine's. Values cross
 * through the membrane (membrane.ts); modules are turned into scripts (esm-to-script.ts), linked
 * here, and evaluated in ESM's order (dependencies first, each once, cycles allowed).
 *
 * Not a security sandbox (node:vm is not one): it keeps a script to what k6 gives a script.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { PlanLoadError } from '../../../errors.ts';
import { ScriptSyntaxError } from '../ast.ts';
import { back, current, type K6Context, state } from '../context.ts';
import { K6_MODULES } from '../modules.ts';
import { opener } from '../runtime.ts';
import { transformScript } from '../transform.ts';
import { moduleToScript, type ScriptModule } from './esm-to-script.ts';
import { k6RequiresAsImports } from './k6-requires.ts';
import { createMembrane, type Membrane, type RealmHelpers } from './membrane.ts';
import { remoteModuleSource } from './remote-modules.ts';
import { resolveSpecifier } from './resolve.ts';

const HELPERS_SOURCE = readFileSync(new URL('./realm-helpers.js', import.meta.url), 'utf8');
const K6_DIR = new URL('../', import.meta.url);

interface ModuleRecord {
  url: string;
  /** A k6 module's namespace (engine side). */
  k6?: Record<string, unknown>;
  script?: ScriptModule;
  state: 'linked' | 'evaluating' | 'done';
  /** ESM: the exports object; CommonJS: the module object. */
  exportsObject?: Record<PropertyKey, unknown>;
  moduleObject?: Record<PropertyKey, unknown>;
  namespace?: unknown;
}

export interface RealmOptions {
  /** Remote modules from the cache only (`--offline`). */
  offline?: boolean;
  /** Remote modules from the cache only: the script was read once already in this run. */
  cachedOnly?: boolean;
}

export interface K6Realm {
  /** Loads and runs the script (its init code) and what it imports: its exports, engine side. */
  loadScript(file: string): Promise<Record<string, unknown>>;
}

/** `file:///a/b.js` → `/a/b.js` in messages; a URL as it is. */
const shownUrl = (url: string) => (url.startsWith('file:') ? fileURLToPath(url) : url);

export function createK6Realm(options: RealmOptions = {}): K6Realm {
  // A sandbox without a prototype: an ordinary object's would be the engine's Object.prototype,
  // and `globalThis.constructor.constructor` the engine's Function.
  const context = vm.createContext(Object.create(null), { name: 'k6 script' });
  const tokens = new WeakMap<K6Context, object>();
  const contexts = new WeakMap<object, K6Context>();
  const host = {
    here(): object | null {
      const ctx = current();
      if (!ctx) return null;
      let token = tokens.get(ctx);
      if (!token) {
        token = helpers.newToken();
        tokens.set(ctx, token);
        contexts.set(token, ctx);
      }
      return token;
    },
    enter(token: object | null): void {
      back(token ? contexts.get(token) : undefined, undefined);
    },
  };
  const makeHelpers = new vm.Script(HELPERS_SOURCE, {
    filename: 'loadproof:k6/realm-helpers.js',
  }).runInContext(context) as (h: typeof host) => RealmHelpers;
  const helpers = makeHelpers(host);
  const membrane: Membrane = createMembrane(helpers);
  const { toRealm, fromRealm } = membrane;
  const define = (o: object, key: string, value: unknown) =>
    Object.defineProperty(o, key, { value, writable: true, enumerable: false, configurable: true });
  const getter = (o: object, key: string, get: () => unknown) =>
    Object.defineProperty(o, key, { get: toRealm(get) as () => unknown, configurable: true });

  const g = helpers.global;
  getter(g, '__ENV', () => current()?.env ?? state.env);
  getter(g, '__VU', () => current()?.vu?.id ?? 0);
  getter(g, '__ITER', () => current()?.vu?.iteration ?? 0);
  define(g, 'console', toRealm(console));
  // Timers as the newer k6 has them globally (scripts written for it use them without an import).
  for (const name of ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] as const)
    define(g, name, toRealm(globalThis[name]));
  // randomSeed() seeds the engine's Math.random for the current VU (random-seed.ts): the realm draws from it.
  define(
    g.Math as object,
    'random',
    toRealm(() => Math.random()),
  );

  const records = new Map<string, ModuleRecord>();

  async function link(url: string): Promise<void> {
    if (records.has(url)) return;
    if (url.startsWith('k6:')) {
      const spec = url.slice(3);
      const record: ModuleRecord = { url, state: 'linked' };
      records.set(url, record);
      record.k6 = (await import(new URL(K6_MODULES[spec] as string, K6_DIR).href)) as Record<string, unknown>;
      return;
    }
    const record: ModuleRecord = { url, state: 'linked' };
    records.set(url, record);
    const source = url.startsWith('file:')
      ? readFileSync(new URL(url), 'utf8')
      : await remoteModuleSource(url, {
          offline: options.offline ?? false,
          cachedOnly: options.cachedOnly ?? false,
        });
    record.script = scriptOf(source, shownUrl(url));
    for (const i of record.script.imports) {
      let target: string;
      try {
        target = resolveSpecifier(i.specifier, url);
      } catch (e) {
        // require() fails when it runs (a script may try it and go on), an import at load.
        if (i.required) continue;
        throw new PlanLoadError(`${shownUrl(url)}${i.line ? `:${i.line}` : ''}: ${(e as Error).message}`);
      }
      await link(target);
    }
  }

  function namespaceOf(record: ModuleRecord): unknown {
    if (record.k6) {
      record.namespace ??= toRealm(record.k6);
      return record.namespace;
    }
    if (record.script?.esm) return record.exportsObject;
    if (record.state === 'done') {
      record.namespace ??= helpers.commonJsNamespace(record.moduleObject as object);
      return record.namespace;
    }
    return helpers.commonJsNamespace(record.moduleObject as object);
  }

  const recordOf = (url: string): ModuleRecord => {
    const record = records.get(url);
    if (!record) throw new Error(`${shownUrl(url)} was not loaded before it was imported`);
    return record;
  };

  /** A module about to be evaluated: its exports object is there for the modules of a cycle. */
  function prepare(record: ModuleRecord): void {
    record.state = 'evaluating';
    const moduleObject = helpers.newObject();
    Object.defineProperty(moduleObject, 'exports', {
      value: helpers.newObject(),
      writable: true,
      enumerable: true,
      configurable: true,
    });
    record.exportsObject = helpers.newNullObject();
    record.moduleObject = moduleObject;
  }

  /** Runs a module's code; what it returns settles when its top-level awaits are done. */
  function run(record: ModuleRecord): unknown {
    const script = record.script as ScriptModule;
    const body = new vm.Script(script.code, { filename: shownUrl(record.url) }).runInContext(context) as (
      rt: unknown,
    ) => unknown;
    return body(runtimeOf(record));
  }

  /** ESM's order: the module's imports first (each once; one being evaluated is a cycle), then its code. */
  async function evaluate(url: string): Promise<ModuleRecord> {
    const record = recordOf(url);
    if (record.k6 || record.state !== 'linked') return record;
    prepare(record);
    const script = record.script as ScriptModule;
    for (const i of script.imports) if (!i.required) await evaluate(resolveSpecifier(i.specifier, url));
    await fromRealm(run(record));
    record.state = 'done';
    return record;
  }

  /** require(): at once, as CommonJS does (a module that awaits at its top level is not done yet). */
  function evaluateNow(url: string): ModuleRecord {
    const record = recordOf(url);
    if (record.k6 || record.state !== 'linked') return record;
    prepare(record);
    for (const i of (record.script as ScriptModule).imports)
      if (!i.required) evaluateNow(resolveSpecifier(i.specifier, url));
    const done = fromRealm(run(record)) as Promise<unknown>;
    done.then(
      () => {
        record.state = 'done';
      },
      () => {},
    );
    return record;
  }

  function runtimeOf(record: ModuleRecord): object {
    const rt = helpers.newObject();
    for (const [k, v] of Object.entries(helpers.runtime)) define(rt, k, v);
    const url = record.url;
    define(
      rt,
      'import',
      // The module's imports were evaluated before its code runs (evaluate): here they are read.
      membrane.raw((spec: string) => namespaceOf(recordOf(resolveSpecifier(String(spec), url))), 'import'),
    );
    define(
      rt,
      'require',
      membrane.raw((spec: string) => {
        const target = evaluateNow(resolveSpecifier(String(spec), url));
        if (target.k6 || target.script?.esm) return namespaceOf(target);
        return (target.moduleObject as Record<string, unknown>).exports;
      }, 'require'),
    );
    define(
      rt,
      'dynamicImport',
      membrane.raw((spec: unknown) => dynamicImport(String(spec), url), 'import'),
    );
    const meta = helpers.newObject();
    define(meta, 'url', url);
    define(rt, 'meta', meta);
    define(rt, 'module', record.moduleObject);
    define(rt, 'exports', (record.moduleObject as Record<string, unknown>).exports);
    define(
      rt,
      'open',
      url.startsWith('file:')
        ? toRealm(opener(url))
        : toRealm(() => {
            throw new Error(`open() in a remote module (${url}) is not supported`);
          }),
    );
    define(
      rt,
      'defineExports',
      membrane.raw(
        (getters: Record<string, () => unknown>) =>
          helpers.defineExports(record.exportsObject as object, getters),
        'defineExports',
      ),
    );
    define(
      rt,
      'exportStar',
      membrane.raw((from: object) => helpers.exportStar(record.exportsObject as object, from), 'exportStar'),
    );
    return rt;
  }

  function dynamicImport(spec: string, parent: string): object {
    const d = helpers.deferred();
    (async () => {
      const url = resolveSpecifier(spec, parent);
      await link(url);
      return namespaceOf(await evaluate(url));
    })().then(d.resolve, (e) => d.reject(toRealm(e)));
    return d.promise;
  }

  return {
    async loadScript(file) {
      const url = pathToFileURL(file).href;
      await link(url);
      return fromRealm(namespaceOf(await evaluate(url))) as Record<string, unknown>;
    },
  };
}

/** A module's source made a realm script: blocking calls awaited (transform.ts), then ESM linked. */
function scriptOf(source: string, where: string): ScriptModule {
  const transformed = transformScript(k6RequiresAsImports(source), { prelude: false });
  if (transformed.issues.length)
    throw new PlanLoadError(
      transformed.issues.map((i) => `${where}${i.line ? `:${i.line}` : ''}: ${i.message}`).join('\n'),
    );
  try {
    return moduleToScript(transformed.code);
  } catch (e) {
    if (e instanceof ScriptSyntaxError)
      throw new PlanLoadError(`${where}${e.line ? `:${e.line}` : ''}: syntax error: ${e.message}`);
    throw e;
  }
}
