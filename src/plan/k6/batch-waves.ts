/**
 * k6's `batch` and `batchPerHost` limits on one `http.batch` call: the requests are sent in
 * waves, each with at most `total` requests and at most `perHost` to one host (0: no limit),
 * in the order written; a wave starts when the previous one has answered. (k6 starts the next
 * request as soon as any finishes; the limits on what runs at once are the same.)
 */
export interface BatchLimits {
  total: number;
  perHost: number;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The indexes of `urls` in each wave. */
export function batchWaves(urls: readonly string[], limits: BatchLimits): number[][] {
  const waves: number[][] = [];
  let left = urls.map((_, i) => i);
  while (left.length) {
    const wave: number[] = [];
    const perHost = new Map<string, number>();
    const later: number[] = [];
    for (const i of left) {
      const host = hostOf(urls[i] as string);
      const n = perHost.get(host) ?? 0;
      const full = limits.total > 0 && wave.length >= limits.total;
      if (full || (limits.perHost > 0 && n >= limits.perHost)) later.push(i);
      else {
        wave.push(i);
        perHost.set(host, n + 1);
      }
    }
    waves.push(wave);
    left = later;
  }
  return waves;
}
