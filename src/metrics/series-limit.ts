/**
 * The run's limit on endpoint series. Each endpoint (scenario, method, name) costs three HDR
 * histograms in every thread that sees it and three more in the main thread's merged store, so a
 * flow requesting a URL per user id without `name` would grow memory with every new URL. Past the
 * limit, further names are folded into one series per scenario and method (`FOLDED_NAME`).
 *
 * Every thread of a run decides from one table in shared memory: a name admitted by any thread
 * is admitted in all of them, and once the table is full no name is ever admitted again. So a
 * series holds every request to its name, the folded series holds every other one, and the merged
 * results have at most the limit of named series plus the folded ones. Names are told apart by
 * two 32-bit hashes: a name colliding with an admitted one on both (odds about names × limit / 2^64)
 * would get a series too.
 */
import { UsageError } from '../errors.ts';

/** Named endpoint series per run; the figures behind the choice are in docs/performance.md (Memory). */
export const MAX_ENDPOINT_SERIES = 100;

/**
 * The limit for this process: `LOADPROOF_MAX_ENDPOINT_SERIES` when set (a plan with more real
 * endpoints than the default may raise it, at the memory cost docs/performance.md gives), else the default.
 */
export function endpointSeriesLimit(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOADPROOF_MAX_ENDPOINT_SERIES;
  if (raw === undefined || raw === '') return MAX_ENDPOINT_SERIES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(
      `LOADPROOF_MAX_ENDPOINT_SERIES must be a whole number >= 0, got ${JSON.stringify(raw)}`,
    );
  return n;
}

/** The name of the series that requests past the limit are counted under, one per scenario and method. */
export const FOLDED_NAME = '(other)';

const LOCK = 0;
const COUNT = 1;
const LIMIT = 2;
const WARNED = 3;
const HEADER = 4;

/** Two independent 32-bit string hashes; a (0, 0) pair marks an empty slot, so it is never produced. */
function hashPair(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a | 0, b === 0 && a === 0 ? 1 : b | 0];
}

export class SeriesLimit {
  private readonly cells: Int32Array;
  private readonly mask: number;

  /** A table for `limit` names, in memory that worker threads can share (pass `buffer`). */
  static create(limit = endpointSeriesLimit()): SeriesLimit {
    let slots = 1;
    while (slots < limit * 2 + 1) slots *= 2;
    const buffer = new SharedArrayBuffer((HEADER + slots * 2) * Int32Array.BYTES_PER_ELEMENT);
    new Int32Array(buffer)[LIMIT] = limit;
    return new SeriesLimit(buffer);
  }

  constructor(readonly buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
    this.mask = (this.cells.length - HEADER) / 2 - 1;
  }

  get limit(): number {
    return this.cells[LIMIT] as number;
  }

  /** Whether `key` gets a series of its own: it was admitted before, or there is still room. */
  admit(key: string): boolean {
    const [a, b] = hashPair(key);
    // Lock-free when the table is full: a name absent then stays absent (names are added, under
    // the lock, before the count that this reads).
    if (Atomics.load(this.cells, COUNT) >= this.limit) return this.find(a, b) >= 0;
    this.lock();
    try {
      const at = this.find(a, b);
      if (at >= 0) return true;
      if ((this.cells[COUNT] as number) >= this.limit) return false;
      const slot = HEADER + 2 * -(at + 1);
      Atomics.store(this.cells, slot, a);
      Atomics.store(this.cells, slot + 1, b);
      Atomics.add(this.cells, COUNT, 1);
      return true;
    } finally {
      Atomics.store(this.cells, LOCK, 0);
    }
  }

  /** True for the first caller over all threads: the fold is announced once per run. */
  firstFold(): boolean {
    return Atomics.compareExchange(this.cells, WARNED, 0, 1) === 0;
  }

  /** Names admitted so far. */
  get size(): number {
    return Atomics.load(this.cells, COUNT);
  }

  /** The slot index holding (a, b), or -(free slot index + 1) where it would go. */
  private find(a: number, b: number): number {
    for (let i = (a ^ b) & this.mask; ; i = (i + 1) & this.mask) {
      const at = HEADER + 2 * i;
      const x = Atomics.load(this.cells, at);
      const y = Atomics.load(this.cells, at + 1);
      if (x === a && y === b) return i;
      if (x === 0 && y === 0) return -(i + 1);
    }
  }

  private lock(): void {
    // Held for a few loads and stores: spinning is cheaper than waiting, and the main thread may not wait.
    while (Atomics.compareExchange(this.cells, LOCK, 0, 1) !== 0);
  }
}

/** The run's one warning when names start being folded: what happened and the likely fix. */
export function foldWarning(limit: number, scenario: string, method: string, name: string): string {
  return (
    `scenario ${scenario}: more than ${limit} distinct request names in this run (the latest: ${method} ${name}); ` +
    `requests to further names are counted under "${method} ${FOLDED_NAME}", one series per scenario and method. ` +
    "If these are one endpoint with ids in the URL, give the request the option name, e.g. vu.http.get('/users/' + id, { name: '/users/:id' })"
  );
}
