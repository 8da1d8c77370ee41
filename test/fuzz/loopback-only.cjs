// Preloaded (node --require) into every loadproof process the fuzzer starts, and into its worker
// threads: a socket may connect only to the loopback. A mutated plan must never send traffic
// anywhere else, whatever its URLs, templates or captures became. A refused connection is
// written to stderr, where the fuzz test looks for it, and fails the socket.
const net = require('node:net');
const dns = require('node:dns');

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|::ffff:127\.\d+\.\d+\.\d+)$/i;
const MARK = 'LOOPBACK-ONLY: refused';

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  let options = args[0];
  if (Array.isArray(options)) options = options[0];
  if (typeof options !== 'object' || options === null) options = { port: args[0], host: args[1] };
  const host = options.host === undefined ? 'localhost' : String(options.host);
  if (options.path === undefined && !LOOPBACK.test(host)) {
    process.stderr.write(`${MARK} a connection to ${host}\n`);
    process.nextTick(() =>
      this.destroy(Object.assign(new Error(`${MARK} ${host}`), { code: 'ENOTLOOPBACK' })),
    );
    return this;
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, ...rest) {
  if (!LOOPBACK.test(String(hostname))) {
    process.stderr.write(`${MARK} a DNS lookup of ${hostname}\n`);
    const callback = rest[rest.length - 1];
    const err = Object.assign(new Error(`${MARK} ${hostname}`), { code: 'ENOTLOOPBACK' });
    if (typeof callback === 'function') process.nextTick(() => callback(err));
    return {};
  }
  return lookup.call(this, hostname, ...rest);
};
