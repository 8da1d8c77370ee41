/**
 * What the no-false-go tests share: a plan of one scenario for the CLI to run.
 * (The tests were one file; they are four, so that they run in parallel.)
 */
export const plan = (target: string, scenario: string, extra = '') => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  scenarios: { main: { ${scenario} } },
  ${extra}
});
`;
