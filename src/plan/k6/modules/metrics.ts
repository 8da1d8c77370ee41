/**
 * `k6/metrics`: Counter, Gauge, Rate and Trend, declared in init code (so that thresholds may
 * name them) and recorded on the current VU with their tags.
 */
import { current, state } from '../context.ts';

type Kind = 'counter' | 'gauge' | 'rate' | 'trend';

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

class Metric {
  readonly name: string;
  readonly isTime: boolean;
  constructor(
    private readonly kind: Kind,
    name: string,
    isTime?: boolean,
  ) {
    if (current()?.vu)
      throw new Error(`k6/metrics: metrics must be declared in init code, not in VU code ("${name}")`);
    if (typeof name !== 'string' || !NAME.test(name))
      throw new Error(
        `k6/metrics: invalid metric name ${JSON.stringify(name)} (letters, digits and _, at most 128)`,
      );
    const known = state.metrics.get(name);
    if (known && known !== kind) throw new Error(`k6/metrics: "${name}" is already a ${known}`);
    state.metrics.set(name, kind);
    this.name = name;
    this.isTime = !!isTime;
    if (this.isTime) state.timeMetrics.add(name);
  }

  add(value: number | boolean, tags?: Record<string, string>): boolean {
    const vu = current()?.vu;
    if (!vu) return false;
    const m = vu.metrics;
    if (this.kind === 'counter') m.counter(this.name, Number(value), tags);
    else if (this.kind === 'gauge') m.gauge(this.name, Number(value), tags);
    else if (this.kind === 'rate') m.rate(this.name, !!value, tags);
    else m.trend(this.name, Number(value), tags);
    return true;
  }
}

export class Counter extends Metric {
  constructor(name: string, isTime?: boolean) {
    super('counter', name, isTime);
  }
}
export class Gauge extends Metric {
  constructor(name: string, isTime?: boolean) {
    super('gauge', name, isTime);
  }
}
export class Rate extends Metric {
  constructor(name: string, isTime?: boolean) {
    super('rate', name, isTime);
  }
}
export class Trend extends Metric {
  constructor(name: string, isTime?: boolean) {
    super('trend', name, isTime);
  }
}

export default { Counter, Gauge, Rate, Trend };
