/**
 * How many requests a thread has sent and not yet recorded, in memory shared with the main
 * thread. A thread that must be terminated (a flow stuck in a loop that never awaits, a thread
 * that exited) never records them; the main thread reads the count here so that they are still
 * counted, as ABORTED.
 */
export class InFlightRequests {
  private readonly count: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.count = new Int32Array(buffer);
  }

  get buffer(): SharedArrayBuffer {
    return this.count.buffer as SharedArrayBuffer;
  }

  /** A request was handed to the client. */
  sent(): void {
    Atomics.add(this.count, 0, 1);
  }

  /** A request sent ended and is being recorded (or was not to be recorded). */
  settled(): void {
    Atomics.sub(this.count, 0, 1);
  }

  /** Requests sent and not yet settled. */
  now(): number {
    return Atomics.load(this.count, 0);
  }
}
