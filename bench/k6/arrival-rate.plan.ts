/**
 * bench/k6/arrival-rate.js written as a TypeScript plan: the same scenario, URL and check, for
 * `npm run bench -- k6` to set the k6 layer's cost against. TARGET, RATE and SECONDS as there.
 */
import { definePlan } from 'loadproof';

const target = process.env.TARGET ?? 'http://127.0.0.1:8080';

export default definePlan({
  target,
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: Number(process.env.RATE || 5000),
      timeUnit: '1s',
      duration: `${process.env.SECONDS || 10}s`,
      preAllocatedVUs: Number(process.env.PRE_ALLOCATED_VUS || 100),
      maxVUs: Number(process.env.MAX_VUS || 1000),
      flow: async (vu) => {
        const res = await vu.http.get(`${target}/`);
        vu.check('status is 200', res.status === 200);
      },
    },
  },
});
