/** Plans whose user code never yields, for the tests that hangs cannot hang a run. */

/** A loop that never ends and that no linter calls constant. */
export const LOOP = 'while (Date.now() > 0) {}';

export const tsPlan = (target: string, top: string, keys: string) => `import { definePlan } from 'loadproof';
${top}
export default definePlan({
  target: '${target}',
  scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 5, flow: async (vu) => { await vu.http.get('/hello'); } } },
  ${keys}
});
`;
