/**
 * Where loadproof still does not do what k6 did with a comparison script, each with its reason.
 * The comparison asserts that each of these still differs (so an entry that no longer holds fails
 * and must be removed) and that nothing else does.
 */

/** A place in the facts, e.g. ['thresholds', 'basket_size max==4'] or ['exitCode']. */
export type FactPath = [string, ...string[]];

export interface KnownDifference {
  path: FactPath;
  why: string;
}

const HDR_PRECISION =
  'trends are HDR histograms with 3 significant digits: 4 ms is kept as 4.001, so an exact `==` on a ' +
  "trend's max or avg fails where k6, keeping every value, holds (issue 19)";

const CHECKS_BY_NAME =
  "results.json keeps checks by name only, so handleSummary's data lists every check in the root " +
  'group (path `::name`) where k6 lists each in the group it ran in (issue 19)';

const ARRIVAL_AT_THE_END =
  'an arrival-rate schedule is half-open here: 20/s for 5 s is 100 arrivals, the last at 4.95 s, where k6 ' +
  'v0.47 also starts the one due at exactly 5 s when its timer wins the race with its deadline (101 ' +
  "here; the comparison's other scripts keep arrivals off the end for that reason). loadproof keeps one " +
  'count for a rate and a duration, the same in every run and every shard split';

const SETUP_NOT_MEASURED =
  'setup() and teardown() requests are sent but not measured (they are not the load under test, and ' +
  'they run on the main thread outside any scenario), where k6 counts them in http_reqs: one setup ' +
  'request makes k6 102 and loadproof 100 here';

export const KNOWN_DIFFERENCES: Record<string, KnownDifference[]> = {
  'counts.js': [
    { path: ['iterations', 'arrivals'], why: ARRIVAL_AT_THE_END },
    { path: ['responses', 'arrivals GET /items 200'], why: ARRIVAL_AT_THE_END },
    { path: ['server', 'GET /items'], why: ARRIVAL_AT_THE_END },
    { path: ['thresholds', 'iterations{scenario:arrivals} count==101'], why: ARRIVAL_AT_THE_END },
    { path: ['thresholds', 'http_reqs count==102'], why: `${ARRIVAL_AT_THE_END}; and ${SETUP_NOT_MEASURED}` },
    { path: ['exitCode'], why: 'the two count thresholds above fail here (exit 3)' },
  ],
  'summary.js': [
    { path: ['handleSummary', 'root'], why: CHECKS_BY_NAME },
    { path: ['handleSummary', 'groups'], why: CHECKS_BY_NAME },
  ],
  'trend-precision.js': [
    { path: ['thresholds', 'exact_sizes max==4'], why: HDR_PRECISION },
    { path: ['thresholds', 'exact_sizes avg==2.5'], why: HDR_PRECISION },
    { path: ['exitCode'], why: HDR_PRECISION },
  ],
};
