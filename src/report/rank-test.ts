/**
 * The Mann-Whitney U test (Wilcoxon rank-sum) of two independent samples, and the
 * Hodges-Lehmann estimate of the shift between them with its confidence interval. Distribution
 * free: it asks only whether values of one sample tend to rank above those of the other, so a
 * few slow seconds do not decide it. Pure functions, no dependency.
 *
 * U counts the pairs (x, y) with y above x, a tie counting one half: 0 when every y is below
 * every x, m·n when every y is above. The p-value is two-sided; it is exact (the distribution of
 * U counted for every ordering) for samples without ties of up to EXACT_MAX values each, else
 * the normal approximation with the tie correction and a continuity correction.
 */

/** Largest sample (each side) for which the exact distribution of U is counted. */
export const EXACT_MAX = 50;

export interface RankTest {
  /** U of the second sample: pairs with y above x, ties one half. */
  u: number;
  /** Two-sided p-value: how likely a U this far from m·n/2 is when both come from one distribution. */
  p: number;
  method: 'exact' | 'normal';
}

/** Ranks 1..N of the values, tied values sharing the mean of their ranks; and the tie sizes. */
function midRanks(values: number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && order[end]?.v === order[start]?.v) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[(order[k] as { i: number }).i] = rank;
    if (end - start > 1) ties.push(end - start);
    start = end;
  }
  return { ranks, ties };
}

/**
 * How many orderings of m x-values and n y-values give each U (index u, 0..m·n), no ties.
 * The largest value is either an x (it adds no pair with y above x) or a y (above all m x's):
 * counts(m, n)[u] = counts(m - 1, n)[u] + counts(m, n - 1)[u - m].
 */
export function exactUCounts(m: number, n: number): Float64Array {
  const key = `${m}x${n}`;
  let counts = countsBySize.get(key);
  if (!counts) {
    counts = countOrderings(m, n);
    countsBySize.set(key, counts);
  }
  return counts;
}

/** One comparison asks for the same sizes row after row; at most EXACT_MAX² small arrays. */
const countsBySize = new Map<string, Float64Array>();

function countOrderings(m: number, n: number): Float64Array {
  // rows[j]: the counts for (i - 1, j) while row i is built.
  let rows: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const withYLast = next[j - 1] as Float64Array; // (i, j - 1), shifted by i
      const withXLast = rows[j] as Float64Array; // (i - 1, j)
      const c = new Float64Array(i * j + 1);
      for (let u = 0; u < withXLast.length; u++) c[u] = (c[u] as number) + (withXLast[u] as number);
      for (let u = 0; u < withYLast.length; u++) c[u + i] = (c[u + i] as number) + (withYLast[u] as number);
      next.push(c);
    }
    rows = next;
  }
  return rows[n] as Float64Array;
}

/** P(U ≤ u) under the null hypothesis, from the exact counts. */
function exactCdf(counts: Float64Array, u: number): number {
  let total = 0;
  let below = 0;
  for (let k = 0; k < counts.length; k++) {
    total += counts[k] as number;
    if (k <= u) below += counts[k] as number;
  }
  return below / total;
}

/**
 * The complementary error function, to about 1e-7 relative (a Chebyshev fit of
 * exp(z²) · erfc(z) in t = 1 / (1 + z/2)).
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** The z with P(Z ≤ z) = q, by bisection of normalCdf (0 < q < 1). */
export function normalQuantile(q: number): number {
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (normalCdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The Mann-Whitney U test of x (the baseline) against y (the candidate), two-sided. */
export function mannWhitney(x: number[], y: number[]): RankTest {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError('mannWhitney: both samples need at least one value');
  const { ranks, ties } = midRanks([...x, ...y]);
  let rankSumY = 0;
  for (let k = m; k < m + n; k++) rankSumY += ranks[k] as number;
  const u = rankSumY - (n * (n + 1)) / 2;
  if (ties.length === 0 && m <= EXACT_MAX && n <= EXACT_MAX) {
    const counts = exactUCounts(m, n);
    // U is symmetric about m·n/2: the tail on u's side, doubled.
    const tail = Math.min(exactCdf(counts, u), exactCdf(counts, m * n - u));
    return { u, p: Math.min(1, 2 * tail), method: 'exact' };
  }
  const N = m + n;
  const tieTerm = ties.reduce((s, t) => s + t * t * t - t, 0) / (N * (N - 1));
  const variance = ((m * n) / 12) * (N + 1 - tieTerm);
  if (variance <= 0) return { u, p: 1, method: 'normal' };
  const distance = Math.max(0, Math.abs(u - (m * n) / 2) - 0.5);
  const p = Math.min(1, 2 * normalCdf(-distance / Math.sqrt(variance)));
  return { u, p, method: 'normal' };
}

/** How many pairwise differences y - x are at most d (x and y sorted ascending). */
function differencesAtMost(xs: number[], ys: number[], d: number): number {
  let count = 0;
  let i = xs.length; // x values at index ≥ i are ≥ y - d for the current y
  for (const y of ys) {
    // as y grows, y - d grows: the first x with y - x ≤ d moves right
    while (i > 0 && y - (xs[i - 1] as number) <= d) i--;
    while (i < xs.length && y - (xs[i] as number) > d) i++;
    count += xs.length - i;
  }
  return count;
}

/** The largest difference y - x that is at most d (x and y sorted ascending; one exists). */
function largestDifferenceAtMost(xs: number[], ys: number[], d: number): number {
  let best = Number.NEGATIVE_INFINITY;
  let i = xs.length;
  for (const y of ys) {
    while (i > 0 && y - (xs[i - 1] as number) <= d) i--;
    while (i < xs.length && y - (xs[i] as number) > d) i++;
    if (i < xs.length) best = Math.max(best, y - (xs[i] as number));
  }
  return best;
}

/** kthDifference of samples already sorted ascending. */
function kthOfSorted(x: number[], y: number[], k: number): number {
  let lo = (y[0] as number) - (x[x.length - 1] as number); // the smallest difference
  let hi = (y[y.length - 1] as number) - (x[0] as number); // the largest
  if (differencesAtMost(x, y, lo) >= k) return lo;
  // Bisection until the interval is a trillionth of the range (about 40 steps), then the
  // difference itself: the largest at most hi, no further than that from the k-th.
  const enough = (hi - lo) * 1e-12;
  // invariant: fewer than k differences ≤ lo, at least k ≤ hi
  while (hi - lo > enough) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (differencesAtMost(x, y, mid) >= k) hi = mid;
    else lo = mid;
  }
  return largestDifferenceAtMost(x, y, hi);
}

const ascending = (values: number[]) => [...values].sort((a, b) => a - b);

/**
 * The k-th smallest (1-based) of the m·n differences y - x, found by bisection on the value
 * with a linear count at each step: no m·n array, so hours of seconds stay cheap.
 */
export function kthDifference(xs: number[], ys: number[], k: number): number {
  return kthOfSorted(ascending(xs), ascending(ys), k);
}

export interface Shift {
  /** Hodges-Lehmann estimate: the median of the differences y - x over every pair. */
  estimate: number;
  /** Its confidence interval at the level asked, or undefined when the samples are too small. */
  low?: number;
  high?: number;
}

/**
 * How far the candidate's values lie above the baseline's (negative: below), and the interval
 * that holds the true shift with the confidence asked (e.g. 0.95): the differences ranked k-th
 * from each end, k read off the null distribution of U (exact when both samples are small).
 */
export function shiftEstimate(x: number[], y: number[], confidence: number): Shift {
  const m = x.length;
  const n = y.length;
  const pairs = m * n;
  const [xs, ys] = [ascending(x), ascending(y)];
  const estimate =
    pairs % 2 === 1
      ? kthOfSorted(xs, ys, (pairs + 1) / 2)
      : (kthOfSorted(xs, ys, pairs / 2) + kthOfSorted(xs, ys, pairs / 2 + 1)) / 2;
  const tail = (1 - confidence) / 2;
  let k: number;
  if (m <= EXACT_MAX && n <= EXACT_MAX) {
    // k - 1 is the largest u with P(U ≤ u) ≤ tail
    const counts = exactUCounts(m, n);
    const total = counts.reduce((a, b) => a + b, 0);
    let below = counts[0] as number; // orderings with U ≤ k
    k = 0;
    while (k < pairs && below / total <= tail) below += counts[++k] as number;
  } else {
    const z = normalQuantile(1 - tail);
    k = Math.floor(pairs / 2 - z * Math.sqrt((pairs * (m + n + 1)) / 12));
  }
  if (k < 1) return { estimate };
  return { estimate, low: kthOfSorted(xs, ys, k), high: kthOfSorted(xs, ys, pairs + 1 - k) };
}
