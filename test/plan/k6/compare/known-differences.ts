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

export const KNOWN_DIFFERENCES: Record<string, KnownDifference[]> = {
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
