import { definePlan } from 'loadproof';

// Every request gets a 500: the default threshold http_req_failed rate<0.01 fails, NO-GO (exit 3).
export default definePlan({
  target: process.env.TARGET ?? 'http://127.0.0.1:8080',
  flow: async (vu) => {
    await vu.http.get('/status/500');
  },
});
