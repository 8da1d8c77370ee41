// Benchmark target, run as its own process so it does not share the generator's event loop.
//   node bench/server.mjs plain        answers at once
//   node bench/server.mjs fixed:50     answers after 50 ms
//   node bench/server.mjs stall:400:2000  holds every answer during the first 400 ms of each 2 s
// Prints its port on the first line of stdout.
import { createServer } from 'node:http';

const [kind = 'plain', a = '0', b = '0'] = (process.argv[2] ?? 'plain').split(':');
const body = 'hello';
const start = performance.now();
const handler =
  kind === 'fixed'
    ? (_req, res) => setTimeout(() => res.end(body), Number(a))
    : kind === 'stall'
      ? (_req, res) => {
          const stallMs = Number(a);
          const periodMs = Number(b);
          const phase = (performance.now() - start) % periodMs;
          if (phase < stallMs) setTimeout(() => res.end(body), stallMs - phase);
          else res.end(body);
        }
      : (_req, res) => res.end(body);
const server = createServer(handler);
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
