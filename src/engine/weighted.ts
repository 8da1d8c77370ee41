/**
 * Deterministic weighted mixes. Smooth weighted round-robin lays the choices out as a cycle
 * of sum(weights) slots (after dividing by their gcd), spread evenly: 70/20/10 gives exactly
 * 70, 20 and 10 of every 100 consecutive picks, and never a long run of one choice.
 */
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The cycle of indices into `weights`. Weights must be positive integers. */
export function weightedCycle(weights: readonly number[]): number[] {
  const g = weights.reduce((acc, w) => gcd(acc, w), 0) || 1;
  const reduced = weights.map((w) => w / g);
  const total = reduced.reduce((a, b) => a + b, 0);
  const current = reduced.map(() => 0);
  const cycle: number[] = [];
  for (let slot = 0; slot < total; slot++) {
    let best = 0;
    for (let i = 0; i < reduced.length; i++) {
      current[i] = (current[i] as number) + (reduced[i] as number);
      if ((current[i] as number) > (current[best] as number)) best = i;
    }
    current[best] = (current[best] as number) - total;
    cycle.push(best);
  }
  return cycle;
}

/** Picks by global iteration number: pick(n) is the same in every thread. */
export function weightedPicker<T>(items: readonly { weight: number; item: T }[]): (n: number) => T {
  if (items.length === 1) {
    const only = (items[0] as { item: T }).item;
    return () => only;
  }
  const cycle = weightedCycle(items.map((i) => i.weight));
  return (n) => (items[cycle[n % cycle.length] as number] as { item: T }).item;
}
