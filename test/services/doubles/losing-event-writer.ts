/**
 * Test double of the rehab event writer: every Nth request is acknowledged without being
 * written, a fault the suite's integrity checks must catch. The lost request is neither
 * consent-checked nor committed; its acknowledgement names the last committed position.
 */
import type pg from 'pg';
import type { RehabOptions } from '../../../services/rehab/app.ts';
import type { ValidEvent } from '../../../services/rehab/events.ts';
import { type Ack, EventWriter, type WriterOptions } from '../../../services/rehab/writer.ts';

export class LosingEventWriter extends EventWriter {
  private requests = 0;

  constructor(
    pool: pg.Pool,
    options: WriterOptions,
    private readonly every: number,
  ) {
    super(pool, options);
  }

  override write(events: ValidEvent[], paths: string[]): Promise<Ack[]> {
    if (++this.requests % this.every !== 0) return super.write(events, paths);
    return Promise.resolve(
      events.map((e) => ({
        event_id: e.eventId,
        stream_position: this.lastCommittedPosition,
        timestamp: e.timestamp,
      })),
    );
  }
}

/** Rehab options whose writer loses every `every`th request. */
export function losesEvents(every: number): Pick<RehabOptions, 'eventWriter'> {
  return { eventWriter: (pool, options) => new LosingEventWriter(pool, options, every) };
}
