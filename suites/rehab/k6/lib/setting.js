// What the rehab k6 scripts read in init code: the suite's configuration (suites/rehab/config.json,
// or the file REHAB_CONFIG names, with the LOADPROOF_PROFILE profile: quick or full) and the
// fixture `suites/rehab/scripts/run_tests.sh setup` writes (patients, therapists, tokens; or the
// file REHAB_FIXTURE names). BASE_URL overrides the fixture's service; AUTH_TOKEN, an admin
// token, is used for every request. Paths given in the environment are best absolute.
// These scripts keep to the syntax k6 v0.47's compiler takes: no object spread, no `?.`, no `??`.

function readJson(path, what, remedy) {
  let text;
  try {
    text = open(path);
  } catch (e) {
    throw new Error(`${what} ${path} cannot be read (${e}): ${remedy}`);
  }
  return JSON.parse(text);
}

function need(value, path) {
  if (value === undefined || value === null) throw new Error(`rehab config: ${path} is missing`);
  return value;
}

const configFile = __ENV.REHAB_CONFIG || '../../config.json';
const fixtureFile = __ENV.REHAB_FIXTURE || '../../fixtures/test-data.json';
const raw = readJson(configFile, 'the suite configuration', 'set REHAB_CONFIG to an absolute path');
const profileName = __ENV.LOADPROOF_PROFILE === 'quick' ? 'quick' : 'full';

export const config = {
  patients: need(raw.patients, 'patients'),
  repsPerSession: need(raw.repsPerSession, 'repsPerSession'),
  repIntervalMs: need(raw.repIntervalMs, 'repIntervalMs'),
  alertEverySessions: need(raw.alertEverySessions, 'alertEverySessions'),
  thresholds: need(raw.thresholds, 'thresholds'),
};
const profiles = need(raw.profiles, 'profiles');
export const profile = need(profiles[profileName], `profiles.${profileName}`);

const fixture = readJson(
  fixtureFile,
  'the fixture',
  'run `suites/rehab/scripts/run_tests.sh setup` first (or set REHAB_FIXTURE to an absolute path)',
);
const authToken = __ENV.AUTH_TOKEN;

/** The service, without a trailing slash. */
export const BASE_URL = (__ENV.BASE_URL || fixture.baseUrl).replace(/\/+$/, '');

/** The fixture with AUTH_TOKEN, when set, in place of every token. */
export const seed = {
  adminToken: authToken || fixture.adminToken,
  patients: fixture.patients.map((p) => Object.assign({}, p, { token: authToken || p.token })),
  therapists: fixture.therapists.map((t) => Object.assign({}, t, { token: authToken || t.token })),
};

/** Average events of a device session: start, reps, completion (alerts aside). */
export const EVENTS_PER_SESSION = 2 + (config.repsPerSession.min + config.repsPerSession.max) / 2;

/** The `i`th of `list`, round and round. */
export const pick = (list, i) => list[i % list.length];

const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** A duration of the configuration ("8s", "5m", "1m30s") in seconds. */
export function seconds(duration) {
  const parts = String(duration).match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g);
  if (!parts || parts.join('') !== duration) throw new Error(`rehab config: "${duration}" is not a duration`);
  return parts.reduce((sum, part) => {
    const [, value, unit] = part.match(/^(\d+(?:\.\d+)?)(ms|s|m|h)$/);
    return sum + Number(value) * UNIT_SECONDS[unit];
  }, 0);
}
