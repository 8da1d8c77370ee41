/** A rate of iterations, in words for the progress display: `2.5/s`, `110/s`. */
export function perSecond(ratePerSec: number): string {
  return `${Number(ratePerSec.toFixed(ratePerSec < 10 ? 2 : 1))}/s`;
}
