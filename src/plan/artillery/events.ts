/**
 * The `events` a processor function is given (`events.emit('counter', 'name', 1)`), recorded as
 * loadproof metrics of the virtual user's VU. Artillery's events are an EventEmitter; processors
 * only emit, so listening is accepted and does nothing.
 */
import type { Vu } from '../types.ts';

/** Events for processor functions: `events.emit('counter' | 'histogram' | 'rate', name, value)`. */
export class ArtilleryEvents {
  constructor(private readonly vu: Vu) {}
  emit(type: string, name?: unknown, value?: unknown): boolean {
    const m = this.vu.metrics;
    switch (type) {
      case 'counter':
        m.counter(String(name), value === undefined ? 1 : Number(value));
        return true;
      case 'histogram':
      case 'summary':
        m.trend(String(name), Number(value));
        return true;
      case 'rate':
        m.counter(String(name), 1);
        return true;
      case 'customStat': {
        const s = name as { stat?: string; value?: number };
        if (s?.stat) m.trend(s.stat, Number(s.value));
        return true;
      }
      case 'error':
        m.counter(`errors.${String(name)}`, 1);
        return true;
      default:
        return false;
    }
  }
  on(): this {
    return this;
  }
  once(): this {
    return this;
  }
  off(): this {
    return this;
  }
  addListener(): this {
    return this;
  }
  removeListener(): this {
    return this;
  }
}
