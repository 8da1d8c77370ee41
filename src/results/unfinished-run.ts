/**
 * What a run puts where its results will go as soon as it starts (after validation, before any
 * load): a marker saying a run is in progress or did not finish. A run killed outright (SIGKILL,
 * a crash, a node that vanished) then leaves this marker, never an earlier run's results that
 * would look like its own. It has no `verdict`: nothing reading it can take it for a GO.
 * `schema/unfinished-run.schema.json` documents it; `report` and `compare` refuse it, and `merge`
 * counts a shard's as that shard missing.
 */
import { SCHEMA_VERSION } from './types.ts';

export const UNFINISHED_STATUS = 'UNFINISHED';

export interface UnfinishedRun {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'loadproof'; version: string };
  status: typeof UNFINISHED_STATUS;
  /** When the run that wrote it started (ISO time). */
  startedAt: string;
  /** That run's process id, to tell whether it still runs. */
  pid: number;
  /** The plan file it runs, as given. */
  planFile: string;
  /** The run is one shard of a sharded run: `loadproof merge` counts this shard as missing. */
  shard?: { runId: string; segment: string };
  message: string;
}

export function unfinishedRun(o: {
  version: string;
  startedAt: Date;
  pid: number;
  planFile: string;
  shard?: { runId: string; segment: string };
}): UnfinishedRun {
  const at = o.startedAt.toISOString();
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'loadproof', version: o.version },
    status: UNFINISHED_STATUS,
    startedAt: at,
    pid: o.pid,
    planFile: o.planFile,
    ...(o.shard ? { shard: o.shard } : {}),
    message: `a run of ${o.planFile} started at ${at} (pid ${o.pid}) and has not finished: it is still running, or it stopped without writing results (killed, or an error). These are not results.`,
  };
}

export function isUnfinishedRun(data: unknown): data is UnfinishedRun {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { status?: unknown }).status === UNFINISHED_STATUS &&
    (data as { verdict?: unknown }).verdict === undefined
  );
}
