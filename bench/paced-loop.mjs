// The floor of a paced HTTP client in Node on this machine: keep-alive sockets, one prebuilt
// request, a response taken as one 'data' event (true of bench/server.mjs's small answers), no
// parsing, no metrics. Requests are paced the way loadproof paces iterations: every request
// sent when due, checked on a millisecond timer. Not a client: an anchor for the cpu bench.
//   node bench/paced-loop.mjs PORT RATE SECONDS CONNECTIONS
// Prints the number of responses.
import { connect } from 'node:net';

const [port, rate, seconds, connections] = process.argv.slice(2).map(Number);
const request = Buffer.from(`GET / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`);
const idle = [];
let waiting = 0;
let done = 0;
const total = Math.round(rate * seconds);
const onResponse = (socket) => {
  done++;
  if (waiting > 0) {
    waiting--;
    socket.write(request);
  } else idle.push(socket);
  if (done === total) {
    console.log(done);
    process.exit(0);
  }
};
let open = 0;
for (let i = 0; i < connections; i++) {
  const s = connect({ port, host: '127.0.0.1', noDelay: true });
  s.on('data', () => onResponse(s));
  s.on('connect', () => {
    idle.push(s);
    if (++open === connections) start();
  });
}
function start() {
  const t0 = performance.now();
  let sent = 0;
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const s = idle.pop();
      if (s) s.write(request);
      else waiting++;
    }
    if (sent < total) setTimeout(tick, 1);
  };
  tick();
}
