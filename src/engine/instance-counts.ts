/**
 * What this process has run so far, over all its threads (k6's `exec.instance`): VUs made, VUs
 * running an iteration, iterations completed and interrupted. One SharedArrayBuffer made by the
 * run and given to every worker; each thread adds to it with Atomics, any thread reads it.
 */
import type { InstanceCounts as InstanceView } from '../plan/types.ts';

const VUS_INITIALIZED = 0;
const VUS_ACTIVE = 1;
const ITERATIONS_COMPLETED = 2;
const ITERATIONS_INTERRUPTED = 3;
const SLOTS = 4;

export class InstanceCounts implements InstanceView {
  private readonly slots: BigInt64Array;

  constructor(buffer: SharedArrayBuffer = InstanceCounts.newBuffer()) {
    this.slots = new BigInt64Array(buffer);
  }

  static newBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(SLOTS * BigInt64Array.BYTES_PER_ELEMENT);
  }

  get buffer(): SharedArrayBuffer {
    return this.slots.buffer as SharedArrayBuffer;
  }

  private read(slot: number): number {
    return Number(Atomics.load(this.slots, slot));
  }

  get vusInitialized(): number {
    return this.read(VUS_INITIALIZED);
  }
  get vusActive(): number {
    return this.read(VUS_ACTIVE);
  }
  get iterationsCompleted(): number {
    return this.read(ITERATIONS_COMPLETED);
  }
  get iterationsInterrupted(): number {
    return this.read(ITERATIONS_INTERRUPTED);
  }

  vuInitialized(): void {
    Atomics.add(this.slots, VUS_INITIALIZED, 1n);
  }
  /** A VU starts an iteration (`+1`) or ends it (`-1`). */
  vuActive(delta: 1 | -1): void {
    Atomics.add(this.slots, VUS_ACTIVE, delta === 1 ? 1n : -1n);
  }
  iterationCompleted(): void {
    Atomics.add(this.slots, ITERATIONS_COMPLETED, 1n);
  }
  iterationInterrupted(): void {
    Atomics.add(this.slots, ITERATIONS_INTERRUPTED, 1n);
  }
}
