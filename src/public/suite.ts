/**
 * `loadproof/suite`: what a suite of plans needs around them: run one plan with progress and
 * results.json, start and stop the services under test, write a private file (tokens, seeds).
 */
export { writePrivateJson } from '../suite/private-file.ts';
export { type StartedProcess, type StartOptions, startProcess, stopAll } from '../suite/processes.ts';
export { runSuitePlan, type SuitePlanRun } from '../suite/run-suite-plan.ts';
