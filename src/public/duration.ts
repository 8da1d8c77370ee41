/**
 * `loadproof/duration`: the duration grammar of plans (`30s`, `5m`, `1h30m`) alone, for code
 * that reads durations without loading the tool (the services under test).
 */
export { type Duration, parseDurationMs } from '../plan/duration.ts';
