import { definePlan } from 'loadproof';

// 40 iterations shared by however many shards run it; every shard on one machine, for a try.
export default definePlan({
  target: process.env.TARGET ?? 'http://127.0.0.1:8080',
  scenarios: {
    shared: {
      executor: 'shared-iterations',
      vus: 4,
      iterations: 40,
      maxDuration: '1m',
      flow: async (vu) => {
        const res = await vu.http.get('/api/items');
        vu.check('items answered', res.status === 200);
      },
    },
  },
  thresholds: { http_req_failed: ['rate<0.01'], checks: ['rate==1'] },
  // Both shards start on this machine, whose start-up time is not what this example is about.
  validity: { shardsOnTime: false },
});
