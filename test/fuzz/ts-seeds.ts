/**
 * TypeScript plans to mutate, as data: the shapes of the suites' plans (suites/clinic/plans,
 * suites/rehab/plans) with their executors, stages, weighted flows, thresholds and checks, and one
 * of each executor they do not use. The suites' own modules read a fixture that only their setup
 * writes, against a running service, so their shapes are written out here. A function is
 * `{ $fn: role }` until printed (see print-plan.ts).
 */
const flow = { $fn: 'flow' };
const check = { $fn: 'check' };
const apiThresholds = {
  http_req_duration: [{ threshold: 'p(95)<200', critical: 'p(95)<300' }, 'p(99)<500'],
  http_req_failed: ['rate<0.01'],
};

export const TS_SEEDS: Record<string, Record<string, unknown>> = {
  'clinic-contention': {
    name: 'clinic: high contention',
    target: 'http://127.0.0.1:3000',
    setup: { $fn: 'setup' },
    metrics: { conflicts: 'rate', rate_limited: 'counter' },
    scenarios: {
      contention: { executor: 'constant-vus', vus: 50, duration: '10s', gracefulStop: '10s', flow },
    },
    thresholds: { ...apiThresholds, rate_limited: ['count==0'] },
    checks: { no_overbooking: { run: check, every: '10s', description: 'used + scheduled <= total' } },
  },
  'clinic-throughput': {
    target: 'http://127.0.0.1:3000',
    metrics: { conflicts: 'rate' },
    scenarios: {
      throughput: {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { duration: '5s', target: 200 },
          { duration: '10s', target: 200 },
          { duration: '5s', target: 0 },
        ],
        gracefulStop: '10s',
        flow,
      },
    },
    thresholds: { http_req_duration: ['p(95)<150'], 'conflicts{scenario:throughput}': ['rate<0.2'] },
  },
  'clinic-mixed': {
    target: 'http://127.0.0.1:3000',
    scenarios: {
      mixed: {
        executor: 'constant-vus',
        vus: 100,
        duration: '15s',
        flow: [
          { name: 'reserve', weight: 70, flow },
          { name: 'release', weight: 20, flow },
          { name: 'consume', weight: 10, flow },
        ],
      },
    },
    thresholds: { http_req_duration: [{ threshold: 'p(95)<175', critical: 'p(95)<262' }] },
    checks: { ledger: { run: check, before: true, after: true } },
  },
  'rehab-load': {
    target: 'http://127.0.0.1:4000',
    headers: { 'x-suite': 'rehab' },
    metrics: { events_sent: 'counter', projection_lag: 'trend' },
    scenarios: {
      devices: {
        executor: 'constant-arrival-rate',
        rate: 80,
        timeUnit: '1s',
        duration: '10s',
        preAllocatedVUs: 50,
        maxVUs: 1000,
        onSaturation: 'queue',
        flow,
      },
      mixed: { executor: 'constant-vus', vus: 20, duration: '10s', gracefulStop: '15s', flow },
    },
    thresholds: { ...apiThresholds, events_sent: ['rps>=1000'], projection_lag: ['p(95)<100'] },
  },
  'rehab-pipeline': {
    target: 'http://127.0.0.1:4000',
    http: { timeout: '30s', connections: 64, pipelining: 1 },
    scenarios: {
      burst: {
        executor: 'ramping-arrival-rate',
        startRate: 100,
        stages: [
          { duration: '2s', target: 2000 },
          { duration: '3s', target: 2000 },
          { duration: '2s', target: 100 },
        ],
        maxVUs: 1000,
        flow,
      },
      backpressure: {
        executor: 'constant-arrival-rate',
        rate: 120,
        duration: '5s',
        startTime: '8s',
        maxVUs: 400,
        tags: { phase: 'backpressure' },
        flow,
      },
    },
    thresholds: {
      'http_req_duration{scenario:burst}': ['p(95)<300'],
      'http_req_failed{scenario:backpressure}': [
        { threshold: 'rate<0.5', abortOnFail: true, delayAbortEval: '2s' },
      ],
    },
  },
  'rehab-smoke': {
    target: 'http://127.0.0.1:4000',
    teardown: { $fn: 'check' },
    scenarios: {
      smoke: {
        executor: 'constant-vus',
        vus: 5,
        duration: '5s',
        flow: [
          { name: 'patient', weight: 3, flow },
          { name: 'therapist', weight: 1, flow },
          { name: 'admin', weight: 1, flow },
        ],
      },
    },
    thresholds: apiThresholds,
  },
  iterations: {
    target: 'http://127.0.0.1:8080',
    data: { users: { file: 'users.csv' }, ids: [1, 2, 3] },
    scenarios: {
      each: { executor: 'per-vu-iterations', vus: 2, iterations: 3, maxDuration: '10s', flow },
      shared: { executor: 'shared-iterations', vus: 2, iterations: 6, startTime: '1s', flow },
    },
    thresholds: { iterations: ['count>=1'], checks: ['rate==1'] },
  },
};
