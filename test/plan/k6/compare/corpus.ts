/**
 * k6's examples at v0.47.0 as a conformance corpus: each example, the stand-ins it calls, the cap
 * that bounds its run (the same arguments given to k6 and to loadproof), how its facts are
 * compared, and the class of result loadproof gives today on this branch. A fix that makes an
 * example run as k6 runs it flips its `expected` to 'same'.
 */

export const CORPUS_DIR = new URL('./examples/', import.meta.url).pathname;
export const CORPUS_OUTPUTS_DIR = new URL('./examples-k6/', import.meta.url).pathname;

/**
 * exact: every count is compared (iterations, requests per endpoint and status, checks' passes
 * and fails, custom metrics, thresholds, exit code). outcome: the example draws random numbers or
 * runs for a time, so counts vary from run to run: compared are which requests, checks (did each
 * ever pass, ever fail), metrics and thresholds there were, each threshold's verdict and the exit
 * code.
 */
export type Comparison = 'exact' | 'outcome';

/**
 * 'same': ran, and the facts compared are equal. 'differed: <facts>, issue N': ran, and those facts
 * differ. 'refused: <why>, issue N': loadproof stopped before the load (exit 2) or failed; `why` is
 * found in its message. 'k6 fails': k6 v0.47 itself fails on it here (not compared).
 */
export type Expected = 'same' | 'k6 fails' | `differed: ${string}` | `refused: ${string}`;

export interface Example {
  /** Path under examples/. */
  file: string;
  /** Host names of the stand-ins it calls (see standins/standins.ts). */
  standIns: string[];
  /** Arguments given to both tools to bound the run (see the README of the corpus). */
  cap?: string[];
  compare: Comparison;
  expected: Expected;
  /**
   * k6 exits 0 but cannot do the example's work on this machine (every iteration fails for want of
   * something k6 needs): counted as 'k6 fails', with k6's own error, and loadproof is not compared.
   */
  k6FailsHere?: string;
  /**
   * On purpose: loadproof exits 3 (NO-GO) where k6 exits 0, through its default thresholds or
   * run validity alone (k6 has neither); says which. The exit code then counts as the same, and
   * the test fails if loadproof stops doing so (remove the line).
   */
  noGoByDefaults?: string;
  /** Facts that vary from run to run in k6 itself (random or timed thresholds): not compared. */
  varies?: ('thresholds' | 'exitCode')[];
}

const SHORT = ['--vus', '2', '--duration', '3s'];

export const EXAMPLES: Example[] = [
  { file: 'base64.js', standIns: [], compare: 'exact', expected: 'same' },
  { file: 'cookies.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'crypto.js', standIns: [], compare: 'exact', expected: 'same' },
  { file: 'custom_metrics.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'es6sample.js', standIns: ['httpbin.org', 'test.k6.io'], compare: 'outcome', expected: 'same' },
  {
    file: 'experimental/browser.js',
    standIns: ['test.k6.io'],
    compare: 'exact',
    expected: 'k6 fails',
    k6FailsHere: 'k6 v0.47 built here has no Chromium to launch; see the browser issue',
  },
  { file: 'experimental/grpc/client_streaming.js', standIns: ['grpc'], compare: 'outcome', expected: 'same' },
  { file: 'experimental/grpc/server_streaming.js', standIns: ['grpc'], compare: 'exact', expected: 'same' },
  {
    file: 'experimental/redis.js',
    standIns: ['jslib.k6.io', 'test-api.k6.io'],
    compare: 'outcome',
    expected: 'same',
  },
  { file: 'experimental/timers.js', standIns: [], compare: 'exact', expected: 'same' },
  {
    file: 'experimental/tracing/tracing-client.js',
    standIns: ['httpbin.org'],
    compare: 'exact',
    expected: 'same',
  },
  {
    file: 'experimental/tracing/tracing-instrumentHTTP.js',
    standIns: ['httpbin.org'],
    compare: 'exact',
    expected: 'same',
  },
  {
    file: 'experimental/tracing/tracing-sampling.js',
    standIns: ['httpbin.org'],
    compare: 'exact',
    expected: 'same',
  },
  { file: 'experimental/webcrypto.js', standIns: [], compare: 'exact', expected: 'same' },
  {
    file: 'experimental/ws.js',
    standIns: ['jslib.k6.io', 'test-api.k6.io'],
    compare: 'outcome',
    expected: 'same',
  },
  { file: 'graphql.js', standIns: ['api.github.com'], compare: 'exact', expected: 'same' },
  { file: 'grpc.js', standIns: ['grpc'], compare: 'exact', expected: 'same' },
  { file: 'grpc_reflection.js', standIns: ['grpc'], compare: 'exact', expected: 'same' },
  { file: 'html_form_post.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'http_2.js', standIns: ['test-api.k6.io'], compare: 'exact', expected: 'same' },
  { file: 'http_basic_auth.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'http_batch.js', standIns: ['test.k6.io'], compare: 'exact', expected: 'same' },
  { file: 'http_digest_auth.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'http_get.js', standIns: ['test-api.k6.io'], compare: 'exact', expected: 'same' },
  { file: 'http_verbs.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'json.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'jwt.js', standIns: [], compare: 'exact', expected: 'same' },
  { file: 'localhost.js', standIns: ['localhost:8080'], compare: 'exact', expected: 'same' },
  { file: 'logging.js', standIns: [], compare: 'exact', expected: 'same' },
  { file: 'malicious.js', standIns: [], cap: ['--duration', '2s'], compare: 'outcome', expected: 'same' },
  { file: 'ocsp.js', standIns: ['stackoverflow.com'], compare: 'exact', expected: 'same' },
  { file: 'pantheon.js', standIns: ['dev-li-david.pantheonsite.io'], compare: 'outcome', expected: 'same' },
  {
    file: 'pantheontest.js',
    standIns: ['dev-li-david.pantheonsite.io'],
    compare: 'outcome',
    expected: 'same',
  },
  { file: 'redirects.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'source_map/issue_1804/main.js', standIns: [], compare: 'exact', expected: 'same' },
  { file: 'source_map/typescript_template/test1.js', standIns: [], compare: 'exact', expected: 'same' },
  { file: 'stages.js', standIns: ['httpbin.org'], cap: SHORT, compare: 'outcome', expected: 'same' },
  { file: 'tagging.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'thresholds.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  {
    file: 'thresholds_readme_example.js',
    standIns: ['test.k6.io'],
    cap: SHORT,
    compare: 'outcome',
    expected: 'same',
  },
  { file: 'tls_skip_cert_verification.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'tlsconfig.js', standIns: ['sha256.badssl.com'], compare: 'exact', expected: 'same' },
  { file: 'websocket.js', standIns: ['echo.websocket.org'], compare: 'outcome', expected: 'same' },
];

export const outputOf = (ex: Example) =>
  `${CORPUS_OUTPUTS_DIR}${ex.file.replace(/\//g, '__').replace(/\.js$/, '.json')}`;
