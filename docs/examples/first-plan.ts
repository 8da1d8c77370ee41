import { definePlan } from 'loadproof';

export default definePlan({
  target: process.env.TARGET ?? 'http://127.0.0.1:8080', // --env TARGET=... is seen here
  scenarios: {
    browse: {
      executor: 'constant-arrival-rate',
      rate: 20,
      duration: '30s',
      maxVUs: 50,
      flow: async (vu) => {
        const res = await vu.http.get('/api/items', { name: '/api/items' });
        vu.check('items answered', res.status === 200);
        await vu.sleep(0.5); // seconds, as k6's sleep
      },
    },
  },
  thresholds: { http_req_failed: ['rate<0.01'], checks: ['rate==1'] },
});
