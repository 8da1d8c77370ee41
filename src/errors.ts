/**
 * One error class per kind of failure, each with a stable `code` and the exit code the CLI
 * uses for it. Exit codes: 0 GO, 3 NO-GO, 2 invalid input, 1 unexpected failure.
 */
export const EXIT = { go: 0, unexpected: 1, invalidInput: 2, noGo: 3 } as const;

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

export function exitCodeOf(err: unknown): number {
  return err instanceof LoadproofError ? err.exitCode : EXIT.unexpected;
}
