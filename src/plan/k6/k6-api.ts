/**
 * k6 v0.47's API as loadproof meets it: one entry per module, per export, per request param and
 * per Response field. Both paths that know k6 read this table and nothing else about it:
 *
 * - `loadproof run` gives a script's realm each module's `runtime` file in place of k6's (realm/realm.ts),
 *   refuses any other k6 module with its reason (modules.ts), awaits the exports marked
 *   `blocking` (analysis.ts) and accepts the request params listed here (modules/http.ts);
 * - `loadproof convert` writes what each entry's `convert` says (convert-facts.ts,
 *   convert-code.ts): a loadproof equivalent, or, for `none`, a TODO naming the line, a warning
 *   and a stub that fails when used.
 *
 * Plain data, no imports.
 */

/** What `loadproof convert` writes for one export. */
export type ConvertedAs =
  /** A call of this loadproof function with the same arguments (`vu.` is the calling VU). */
  | { to: string; namespaceOnly?: true }
  /** k6's `check(value, sets, tags)`: one `vu.check` per predicate (`k6.check` when not written out). */
  | { check: true }
  /** A request: `vu.http.<method>` (`request` with the method first; `OPTIONS` through it), k6's body and params as options. */
  | { request: 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete' | 'OPTIONS' | 'request'; body: boolean }
  /** `http.batch`: `k6.batch(vu.http, requests)`. */
  | { batch: true }
  /** A custom metric's class: declared in the plan's `metrics`, recorded with `vu.metrics.<kind>`. */
  | { metric: 'counter' | 'gauge' | 'rate' | 'trend' }
  /** Bound to this value of the `k6` namespace (`const SharedArray = k6.SharedArray;`). */
  | { alias: string }
  /** An object whose fields a VU has under other names (k6/execution's `vu.idInTest` → `vu.id`). */
  | { fields: Record<string, string> }
  /** No equivalent in a plan: why. */
  | { none: string };

export interface K6Export {
  /** What loadproof does with it at run time. */
  run: string;
  /** A call of it waits (for an answer, a time): the script's function making it becomes async. `predicates`: when one of them does. */
  blocking?: true | 'predicates';
  /** A class whose instances' methods of these names block (`new tracing.Client().get(url)`). */
  instanceBlocks?: string[];
  convert: ConvertedAs;
}

export interface K6Module {
  /** loadproof's module loaded in its place, relative to this folder. */
  runtime: string;
  /** Every import of it is bound to this value of the `k6` namespace, by name (`k6.encoding.b64encode`). */
  convertedWhole?: string;
  exports: Record<string, K6Export>;
}

const NO_PLAN_EQUIVALENT = 'no plan equivalent';
const request = (method: Extract<ConvertedAs, { request: string }>['request'], body: boolean): K6Export => ({
  run: `sent by the VU's HTTP client (${method === 'request' ? 'the method given' : method.toUpperCase()})`,
  blocking: true,
  convert: { request: method, body },
});

/** The k6 modules loadproof provides, in the order errors list them. */
export const K6_API: Record<string, K6Module> = {
  k6: {
    runtime: './modules/k6.ts',
    exports: {
      check: {
        run: 'each predicate recorded in the `checks` rate, tagged with its name, group and scenario',
        blocking: 'predicates',
        convert: { check: true },
      },
      sleep: { run: "the VU's sleep, in seconds", blocking: true, convert: { to: 'vu.sleep' } },
      group: {
        run: 'a named group: group_duration, requests tagged',
        blocking: true,
        convert: { to: 'vu.group' },
      },
      fail: { run: 'ends the iteration with an error', convert: { to: 'k6.fail' } },
      randomSeed: {
        run: 'Math.random repeatable, per VU as in k6 (another generator)',
        convert: { none: "k6's per-VU seeding has no plan equivalent" },
      },
    },
  },
  'k6/http': {
    runtime: './modules/http.ts',
    exports: {
      get: request('get', false),
      post: request('post', true),
      put: request('put', true),
      patch: request('patch', true),
      del: request('delete', true),
      head: request('head', false),
      options: request('OPTIONS', true),
      request: request('request', true),
      batch: {
        run: 'sent in waves within options.batch and batchPerHost',
        blocking: true,
        convert: { batch: true },
      },
      expectedStatuses: { run: 'the statuses a request expects', convert: { to: 'k6.expectedStatuses' } },
      setResponseCallback: {
        run: "the statuses the thread's requests expect",
        // Imported by name it is a stub: only `http.setResponseCallback` sends every request through k6.params.
        convert: { to: 'k6.setResponseCallback', namespaceOnly: true },
      },
      url: { run: 'a URL whose template names the requests', convert: { none: NO_PLAN_EQUIVALENT } },
      file: { run: 'a file of a multipart body', convert: { none: NO_PLAN_EQUIVALENT } },
      cookieJar: { run: "the VU's cookie jar", convert: { none: NO_PLAN_EQUIVALENT } },
      CookieJar: { run: "a cookie jar of the script's own", convert: { none: NO_PLAN_EQUIVALENT } },
    },
  },
  'k6/metrics': {
    runtime: './modules/metrics.ts',
    exports: {
      Counter: { run: 'a counter declared in init code', convert: { metric: 'counter' } },
      Gauge: { run: 'a gauge declared in init code', convert: { metric: 'gauge' } },
      Rate: { run: 'a rate declared in init code', convert: { metric: 'rate' } },
      Trend: { run: 'a trend declared in init code', convert: { metric: 'trend' } },
    },
  },
  'k6/data': {
    runtime: './modules/data.ts',
    exports: {
      SharedArray: { run: 'built once per thread, frozen', convert: { alias: 'k6.SharedArray' } },
    },
  },
  'k6/execution': {
    runtime: './modules/execution.ts',
    exports: {
      vu: {
        run: 'idInTest, idInInstance, iterationInScenario, iterationInInstance',
        convert: { fields: { idInTest: 'id', iterationInScenario: 'iteration' } },
      },
      scenario: {
        run: 'name, executor, startTime, iterationInTest, iterationInInstance',
        convert: { fields: { name: 'scenario', iterationInTest: 'scenarioIteration' } },
      },
      test: { run: 'abort(reason): the run stops, NO-GO', convert: { none: NO_PLAN_EQUIVALENT } },
      instance: {
        run: 'currentTestRunDuration, vusActive, vusInitialized, iterationsCompleted, iterationsInterrupted',
        convert: { none: NO_PLAN_EQUIVALENT },
      },
    },
  },
  'k6/encoding': {
    runtime: './modules/encoding.ts',
    convertedWhole: 'k6.encoding',
    exports: {
      b64encode: { run: 'base64 in its four alphabets', convert: { alias: 'k6.encoding.b64encode' } },
      b64decode: { run: 'base64 in its four alphabets', convert: { alias: 'k6.encoding.b64decode' } },
    },
  },
  'k6/crypto': {
    runtime: './modules/crypto.ts',
    convertedWhole: 'k6.crypto',
    exports: Object.fromEntries(
      [
        'md4',
        'md5',
        'sha1',
        'sha256',
        'sha384',
        'sha512',
        'sha512_224',
        'sha512_256',
        'ripemd160',
        'hmac',
        'createHash',
        'createHMAC',
        'randomBytes',
      ].map((name): [string, K6Export] => [
        name,
        { run: 'over node:crypto', convert: { alias: `k6.crypto.${name}` } },
      ]),
    ),
  },
  'k6/experimental/timers': timersModule(),
  'k6/timers': timersModule(),
  'k6/experimental/webcrypto': {
    runtime: './modules/webcrypto.ts',
    exports: {
      crypto: {
        run: "getRandomValues, randomUUID and subtle (the algorithms k6 v0.47 has) on Node's WebCrypto",
        convert: { none: "use Node's WebCrypto (globalThis.crypto) in the plan" },
      },
    },
  },
  'k6/html': {
    runtime: './modules/html.ts',
    exports: {
      parseHTML: {
        run: "a Selection over the parsed document (cheerio), k6's methods",
        convert: { none: 'parse the response text with an HTML library of the plan' },
      },
    },
  },
  'k6/experimental/tracing': {
    runtime: './modules/tracing.ts',
    exports: {
      instrumentHTTP: {
        run: "k6/http's requests carry a trace context header (w3c or jaeger), sampled",
        convert: { none: 'set the trace header in the plan' },
      },
      Client: {
        run: 'an HTTP client whose requests carry a trace context header',
        convert: { none: 'set the trace header in the plan' },
        instanceBlocks: ['request', 'get', 'head', 'post', 'put', 'patch', 'del', 'options'],
      },
    },
  },
  'k6/experimental/redis': {
    runtime: './modules/redis.ts',
    exports: {
      Client: {
        run: 'a Redis client (node-redis); each command answers a promise the iteration waits for',
        convert: { none: 'use a Redis client in the plan' },
      },
    },
  },
};

function timersModule(): K6Module {
  const timer = (what: string): K6Export => ({
    run: `${what}, the iteration waiting for it as k6's does`,
    convert: { none: "use the plan's own timers and vu.sleep" },
  });
  return {
    runtime: './modules/timers.ts',
    exports: {
      setTimeout: timer('a timeout'),
      clearTimeout: timer('clears a timeout'),
      setInterval: timer('an interval'),
      clearInterval: timer('clears an interval'),
    },
  };
}

/** k6 modules refused by their own reason (any other k6 module: not supported, with the list of those that are). */
export const REFUSED_MODULES: { prefix: string; why: (source: string) => string }[] = [
  { prefix: 'k6/x/', why: (source) => `"${source}" is an xk6 extension: not supported by loadproof` },
  {
    prefix: 'k6/experimental/browser',
    why: (source) =>
      `"${source}" drives a real browser: not supported by loadproof yet (issue 34, real browsers under load)`,
  },
];

/** What loadproof does with each of k6/http's request params (any other fails the request, naming it). */
export const K6_REQUEST_PARAMS: Record<string, { convert: 'written' | 'k6.params' | 'none' }> = {
  headers: { convert: 'written' },
  tags: { convert: 'written' },
  timeout: { convert: 'written' },
  redirects: { convert: 'written' },
  cookies: { convert: 'written' },
  /** Through `k6.params`, which turns it into the request's `expected` rule. */
  responseCallback: { convert: 'k6.params' },
  responseType: { convert: 'none' },
  jar: { convert: 'none' },
  auth: { convert: 'none' },
};

/**
 * A k6 Response's fields as a converted plan reads them from loadproof's response. The rewrite
 * (convert-rewrite.ts) writes each `to` in its own shape (`res.text`, `k6.errorCode(res)`,
 * `k6.timings(res)`, `k6.json(res, selector)`); a `none` field is a TODO and a stub. At run time
 * every field is there (modules' K6Response), `html()` a k6/html Selection.
 */
export const K6_RESPONSE_FIELDS: Record<string, ConvertedAs> = {
  body: { to: 'res.text' },
  error_code: { to: 'k6.errorCode' },
  timings: { to: 'k6.timings' },
  json: { to: 'k6.json' },
  cookies: { none: NO_PLAN_EQUIVALENT },
  request: { none: NO_PLAN_EQUIVALENT },
  remote_ip: { none: NO_PLAN_EQUIVALENT },
  remote_port: { none: NO_PLAN_EQUIVALENT },
  html: { none: 'parse res.text with an HTML library of the plan' },
  tls_version: { none: 'a plan reads res.tls?.version' },
  tls_cipher_suite: { none: 'a plan reads res.tls?.cipherSuite' },
  ocsp: { none: 'a plan gets the stapled response as res.tls?.ocspResponse (DER), unparsed' },
  submitForm: { none: NO_PLAN_EQUIVALENT },
  clickLink: { none: NO_PLAN_EQUIVALENT },
};

/** A Response's `timings` fields: `duration` is `latencyMs`, these three are `phases`, the others are not timed (0). */
export const K6_TIMING_PHASES = ['blocked', 'waiting', 'receiving'] as const;

// ---- views of the table, each read where its question is asked

export function exportsOf(module: string): Record<string, K6Export> {
  return Object.hasOwn(K6_API, module) ? (K6_API[module] as K6Module).exports : {};
}

/** One export's entry, or undefined when loadproof's module has no such export. */
export function exportOf(module: string, name: string): K6Export | undefined {
  const exports = exportsOf(module);
  return Object.hasOwn(exports, name) ? exports[name] : undefined;
}

/** The names of a module's exports whose entry matches. */
export function exportNames(module: string, matches: (e: K6Export) => boolean): Set<string> {
  return new Set(
    Object.entries(exportsOf(module))
      .filter(([, e]) => matches(e))
      .map(([name]) => name),
  );
}

/** k6/execution's fields a VU has (`vu.idInTest` → `id`), in the table's order. */
export function executionFields(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, e] of Object.entries(exportsOf('k6/execution')))
    if ('fields' in e.convert)
      for (const [field, as] of Object.entries(e.convert.fields)) out[`${name}.${field}`] = as;
  return out;
}

/** The Response fields a converted plan has no equivalent for. */
export function responseFieldsWithoutEquivalent(): Set<string> {
  return new Set(
    Object.entries(K6_RESPONSE_FIELDS)
      .filter(([, c]) => 'none' in c)
      .map(([name]) => name),
  );
}

/** The request params a plan takes through `k6.params` (`written`: also written out in the call). */
export function requestParams(...how: ('written' | 'k6.params' | 'none')[]): Set<string> {
  return new Set(
    Object.entries(K6_REQUEST_PARAMS)
      .filter(([, p]) => how.includes(p.convert))
      .map(([name]) => name),
  );
}
