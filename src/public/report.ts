/**
 * `loadproof/report`: writing a run's record and its reports, and the SVG charts the reports
 * draw, for scripts that keep results of their own (suites, benchmarks).
 */
export { timestampFolder, writeResultsFile } from '../outputs/write-results.ts';
export { lineChart, percentileChart, type Series } from '../report/svg-chart.ts';
export { writeReports } from '../report/write.ts';
