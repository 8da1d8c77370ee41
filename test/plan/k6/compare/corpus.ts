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
  /** Facts that vary from run to run in k6 itself (random or timed thresholds, checks on random values): not compared. */
  varies?: ('thresholds' | 'exitCode' | 'checks')[];
}

const SHORT = ['--vus', '2', '--duration', '3s'];

const MODULE = (name: string, issue: number) =>
  `refused: "${name}" is not supported (issue ${issue})` as const;
const NO_REQUESTS = 'run validity minRequests: the example sends no request';
const CHECKS_FAIL = 'the default threshold checks rate>=0.99: checks fail here in k6 too';
const THROWS = (why: string) =>
  `the default threshold iteration_failed rate<0.01 and run validity minRequests: ${why}, and it sends no request` as const;
const EVERY_PATH_404 =
  'the default thresholds http_req_failed, checks and iteration_failed: the stand-in answers 404 to every path (the site is gone), so in k6 too every request fails, the checks fail and the iteration throws';

export const EXAMPLES: Example[] = [
  { file: 'base64.js', standIns: [], compare: 'exact', expected: 'same', noGoByDefaults: NO_REQUESTS },
  {
    file: 'cookies.js',
    standIns: ['httpbin.org'],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults:
      "the default thresholds checks and iteration_failed: go-httpbin's /cookies answers a bare object, so `r.json().cookies.name` throws in k6 too (its first group's checks, one failed, then the iteration ends)",
  },
  { file: 'crypto.js', standIns: [], compare: 'exact', expected: 'same', noGoByDefaults: NO_REQUESTS },
  { file: 'custom_metrics.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  {
    file: 'es6sample.js',
    standIns: ['httpbin.org', 'test.k6.io'],
    compare: 'outcome',
    // Two of its checks are on Math.random(): their passes and fails vary from run to run.
    varies: ['thresholds', 'exitCode', 'checks'],
    expected: 'same',
  },
  {
    file: 'experimental/browser.js',
    standIns: ['test.k6.io'],
    compare: 'exact',
    expected: 'k6 fails',
    k6FailsHere:
      "k6 v0.47's browser module needs K6_BROWSER_ENABLED=true and a Chromium, neither here (issue 34)",
  },
  {
    file: 'experimental/grpc/client_streaming.js',
    standIns: ['grpc'],
    compare: 'outcome',
    expected: MODULE('k6/experimental/grpc', 29),
  },
  {
    file: 'experimental/grpc/server_streaming.js',
    standIns: ['grpc'],
    compare: 'exact',
    expected: MODULE('k6/experimental/grpc', 29),
  },
  {
    file: 'experimental/redis.js',
    standIns: ['jslib.k6.io', 'test-api.k6.io', 'redis'],
    compare: 'outcome',
    expected:
      "differed: exitCode, thresholds (issue 28: the script imports k6/execution, so loadproof adds the threshold k6_test_aborted count<1 (how exec.test.abort() stops the run) and with it its default thresholds as the plan's own, not marked default; http_req_failed and checks fail there as they would in k6 (crocodiles 0 and 4-9 answer 404, the content-type check fails in k6 too), so the NO-GO counts as the plan's thresholds, not as loadproof's defaults)",
  },
  {
    file: 'experimental/timers.js',
    standIns: [],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults: NO_REQUESTS,
  },
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
    expected: 'k6 fails',
  },
  {
    file: 'experimental/webcrypto.js',
    standIns: [],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults: NO_REQUESTS,
  },
  {
    file: 'experimental/ws.js',
    standIns: ['jslib.k6.io', 'test-api.k6.io'],
    compare: 'outcome',
    expected: MODULE('k6/experimental/websockets', 29),
  },
  {
    file: 'graphql.js',
    standIns: ['api.github.com'],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults:
      'the default threshold http_req_failed rate<0.01: the stand-in answers 401 as GitHub does',
  },
  { file: 'grpc.js', standIns: ['grpc'], compare: 'exact', expected: MODULE('k6/net/grpc', 29) },
  { file: 'grpc_reflection.js', standIns: ['grpc'], compare: 'exact', expected: MODULE('k6/net/grpc', 29) },
  {
    file: 'html_form_post.js',
    standIns: ['httpbin.org'],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults: CHECKS_FAIL,
  },
  {
    file: 'http_2.js',
    standIns: ['test-api.k6.io'],
    compare: 'exact',
    expected: 'same',
  },
  {
    file: 'http_basic_auth.js',
    standIns: ['httpbin.org'],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults: CHECKS_FAIL,
  },
  { file: 'http_batch.js', standIns: ['test.k6.io'], compare: 'exact', expected: 'same' },
  {
    file: 'http_digest_auth.js',
    standIns: ['httpbin.org'],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults:
      'the default threshold checks rate>=0.99: go-httpbin answers `authorized`, not `authenticated`, so "is authenticated" fails in k6 too',
  },
  { file: 'http_get.js', standIns: ['test-api.k6.io'], compare: 'exact', expected: 'same' },
  {
    file: 'http_verbs.js',
    standIns: ['httpbin.org'],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults: CHECKS_FAIL,
  },
  { file: 'json.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  { file: 'jwt.js', standIns: [], compare: 'exact', expected: 'same', noGoByDefaults: NO_REQUESTS },
  {
    file: 'localhost.js',
    standIns: ['localhost:8080'],
    compare: 'exact',
    varies: ['thresholds', 'exitCode'],
    expected: 'same',
  },
  {
    file: 'logging.js',
    standIns: [],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults: NO_REQUESTS,
  },
  {
    file: 'malicious.js',
    standIns: [],
    cap: ['--duration', '2s'],
    compare: 'outcome',
    expected: 'same',
    noGoByDefaults:
      'run validity: the iteration loops forever (on purpose), so loadproof terminates its worker after gracefulStop and calls the run incomplete, with no request (minRequests); k6 interrupts the loop and exits 0 (neither completes an iteration)',
  },
  {
    file: 'ocsp.js',
    standIns: ['stackoverflow.com'],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults:
      "the default threshold checks rate>=0.99: the stand-in staples no OCSP response, so the status is unknown and the check fails in k6 too (loadproof's k6/http also lacks http.OCSP_STATUS_GOOD, issue 28: with a staple the check would still fail here)",
  },
  {
    file: 'pantheon.js',
    standIns: ['dev-li-david.pantheonsite.io'],
    compare: 'outcome',
    expected: 'same',
    noGoByDefaults: EVERY_PATH_404,
  },
  {
    file: 'pantheontest.js',
    standIns: ['dev-li-david.pantheonsite.io'],
    compare: 'outcome',
    expected: 'same',
    noGoByDefaults: EVERY_PATH_404,
  },
  { file: 'redirects.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  {
    file: 'source_map/issue_1804/main.js',
    standIns: [],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults: THROWS('f2() throws "line 6" on purpose (k6 logs it too)'),
  },
  {
    file: 'source_map/typescript_template/test1.js',
    standIns: [],
    compare: 'exact',
    expected: 'same',
    noGoByDefaults: THROWS('the bundle throws "cool is cool" on purpose (k6 logs it too)'),
  },
  { file: 'stages.js', standIns: ['httpbin.org'], cap: SHORT, compare: 'outcome', expected: 'same' },
  { file: 'tagging.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  {
    file: 'thresholds.js',
    standIns: ['httpbin.org'],
    compare: 'exact',
    expected: 'same',
  },
  {
    file: 'thresholds_readme_example.js',
    standIns: ['test.k6.io'],
    cap: SHORT,
    compare: 'outcome',
    expected: 'same',
  },
  { file: 'tls_skip_cert_verification.js', standIns: ['httpbin.org'], compare: 'exact', expected: 'same' },
  {
    file: 'tlsconfig.js',
    standIns: ['sha256.badssl.com'],
    compare: 'exact',
    expected:
      'differed: exitCode, checks (issue 28: loadproof\'s k6/http has no TLS_1_0 to TLS_1_3 constants, so `r.tls_version === http.TLS_1_2` compares "tls1.2" with undefined and "is TLSv1.2" fails, and the default checks threshold with it)',
  },
  {
    file: 'websocket.js',
    standIns: ['echo.websocket.org'],
    compare: 'outcome',
    expected: MODULE('k6/ws', 29),
  },
];

export const outputOf = (ex: Example) =>
  `${CORPUS_OUTPUTS_DIR}${ex.file.replace(/\//g, '__').replace(/\.js$/, '.json')}`;
