/**
 * Where a thread's flows last ran: the scenario and iteration a VU started or resumed, in memory
 * shared with the main thread. A flow stuck in a synchronous loop blocks its whole thread, so the
 * thread cannot say where it is stuck; the main thread reads it here before it terminates it.
 */
export class Activity {
  private readonly slots: Float64Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT)) {
    this.slots = new Float64Array(buffer);
    this.slots[0] = -1;
  }

  get buffer(): SharedArrayBuffer {
    return this.slots.buffer as SharedArrayBuffer;
  }

  /** A VU of scenario number `scenario` (the plan's order) runs iteration `iteration` now. */
  mark(scenario: number, iteration: number): void {
    this.slots[0] = scenario;
    this.slots[1] = iteration;
  }

  /** The last mark, or undefined before any flow ran. */
  last(): { scenario: number; iteration: number } | undefined {
    const scenario = this.slots[0] as number;
    return scenario < 0 ? undefined : { scenario, iteration: this.slots[1] as number };
  }
}
