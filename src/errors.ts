/**
 * One error class per kind of failure, each with a stable `code` and the exit code the CLI
 * uses for it. Exit codes: 0 GO, 3 NO-GO, 2 invalid input, 1 unexpected failure, 4 INCOMPLETE
 * (a merge of shards that misses some).
 */
export const EXIT = { go: 0, unexpected: 1, invalidInput: 2, noGo: 3, incomplete: 4 } as const;

export class LoadproofError extends Error {
  readonly code: string = 'LOADPROOF_ERROR';
  readonly exitCode: number = EXIT.unexpected;
}

/** One problem in a plan, named by its path (`scenarios.main.rate`). */
export interface PlanIssue {
  path: string;
  message: string;
}

/** A plan that fails validation; carries every issue found, not only the first. */
export class PlanValidationError extends LoadproofError {
  override readonly code = 'PLAN_INVALID';
  override readonly exitCode = EXIT.invalidInput;
  constructor(
    readonly issues: PlanIssue[],
    readonly file?: string,
  ) {
    const where = file ? `${file}: ` : '';
    super(
      `${where}invalid plan (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'),
    );
  }
}

/** A plan file that cannot be found, read or imported. */
export class PlanLoadError extends LoadproofError {
  override readonly code = 'PLAN_LOAD_FAILED';
  override readonly exitCode = EXIT.invalidInput;
}

/** Bad command-line flags. */
export class UsageError extends LoadproofError {
  override readonly code = 'USAGE';
  override readonly exitCode = EXIT.invalidInput;
}

/** setup() failed, or returned what cannot be copied to the worker threads. */
export class SetupError extends LoadproofError {
  override readonly code = 'SETUP_FAILED';
  override readonly exitCode = EXIT.invalidInput;
}

/** A threshold expression that does not parse. */
export class ThresholdSyntaxError extends LoadproofError {
  override readonly code = 'THRESHOLD_SYNTAX';
  override readonly exitCode = EXIT.invalidInput;
}

/** An input file (results.json, data file) that is missing or malformed. */
export class InputFileError extends LoadproofError {
  override readonly code = 'INPUT_FILE';
  override readonly exitCode = EXIT.invalidInput;
}

/** kubectl is missing, or a kubectl command failed (its stderr is in the message). */
export class KubectlError extends LoadproofError {
  override readonly code = 'KUBECTL';
  override readonly exitCode = EXIT.invalidInput;
}

/** A sharded run of which no shard left results: there is nothing to merge. */
export class IncompleteRunError extends LoadproofError {
  override readonly code = 'INCOMPLETE';
  override readonly exitCode = EXIT.incomplete;
}

/** An error as plain data, the form in which it crosses a thread boundary. */
export interface ErrorData {
  name: string;
  message: string;
  code?: string;
  exitCode?: number;
  /** A PlanValidationError's issues and file. */
  issues?: PlanIssue[];
  file?: string;
}

/** The error classes by their stable code: what a worker's error becomes again on the main thread. */
const CLASS_BY_CODE: Record<string, new (message: string) => LoadproofError> = {
  PLAN_LOAD_FAILED: PlanLoadError,
  USAGE: UsageError,
  SETUP_FAILED: SetupError,
  THRESHOLD_SYNTAX: ThresholdSyntaxError,
  INPUT_FILE: InputFileError,
  KUBECTL: KubectlError,
  INCOMPLETE: IncompleteRunError,
};

export function errorToData(err: unknown): ErrorData {
  // A thrown value that is no Error has no name: it is told by its text alone.
  if (!(err instanceof Error)) return { name: '', message: String(err) };
  const data: ErrorData = { name: err.name, message: err.message };
  if (err instanceof LoadproofError) {
    data.code = err.code;
    data.exitCode = err.exitCode;
  }
  if (err instanceof PlanValidationError) {
    data.issues = err.issues;
    if (err.file !== undefined) data.file = err.file;
  }
  return data;
}

/** Rebuilds an error from `errorToData`: the same class, code, exit code and message. */
export function errorFromData(data: ErrorData): Error {
  if (data.code === 'PLAN_INVALID' && data.issues) return new PlanValidationError(data.issues, data.file);
  const known = data.code !== undefined ? CLASS_BY_CODE[data.code] : undefined;
  if (known) return new known(data.message);
  if (data.code !== undefined || data.exitCode !== undefined) {
    // A LoadproofError of a class this table does not name: its code and exit code still hold.
    const e = new LoadproofError(data.message);
    return Object.assign(
      e,
      data.code !== undefined ? { code: data.code } : {},
      data.exitCode !== undefined ? { exitCode: data.exitCode } : {},
    );
  }
  const e = new Error(data.message);
  if (data.name) e.name = data.name;
  return e;
}

export function exitCodeOf(err: unknown): number {
  return err instanceof LoadproofError ? err.exitCode : EXIT.unexpected;
}
