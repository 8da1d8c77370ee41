/**
 * Every stand-in the k6 examples need, started together on loopback, and the run-time rewrite
 * that sends an example's URLs to them: `http://httpbin.org` becomes `http://127.0.0.1:PORT`,
 * `https://` and `wss://` go to the same site's TLS port, credentials in a URL are kept, a bare
 * host name left over (a cookie's `domain`) becomes 127.0.0.1, and the gRPC address
 * `127.0.0.1:10000` becomes the gRPC stand-in's. The example files are never edited: the rewrite
 * is applied to a copy made for each run.
 */
import { type Certificate, makeCertificate } from '../../../../helpers/certificate.ts';
import { type GrpcStandIn, startGrpcStandIn } from './grpc.ts';
import { httpbin } from './httpbin.ts';
import { github, jslib, localSite, nothingHere, plainPage, testApiK6io, testK6io } from './k6-sites.ts';
import { type RedisStandIn, startRedisStandIn } from './redis.ts';
import { type ServedSite, type Site, serveSite, type UpgradeHandler } from './site.ts';
import { crocochatUpgrade, echoUpgrade } from './websockets.ts';

/** The sites, by the host name the examples write. */
export const SITES: Record<string, { site: Site; upgrade?: () => UpgradeHandler; what: string }> = {
  'httpbin.org': { site: httpbin, what: "go-httpbin as k6 v0.47 vendors it (the examples' endpoints)" },
  'test.k6.io': { site: testK6io, what: 'front page, pi.php, static assets, messages login' },
  'test-api.k6.io': {
    site: testApiK6io,
    upgrade: crocochatUpgrade,
    what: 'front page, public crocodiles, crocochat WebSocket rooms',
  },
  'echo.websocket.org': { site: nothingHere, upgrade: echoUpgrade, what: 'WebSocket echo' },
  'jslib.k6.io': { site: jslib, what: 'k6-utils 1.1.0 and k6-summary 0.0.1, written here' },
  'localhost:8080': { site: localSite, what: "localhost.js's page, stylesheet and image" },
  'api.github.com': { site: github, what: '401 Bad credentials' },
  'stackoverflow.com': { site: plainPage, what: 'a page over TLS (no OCSP staple)' },
  'sha256.badssl.com': { site: plainPage, what: 'a page over TLS' },
  'dev-li-david.pantheonsite.io': { site: nothingHere, what: 'not imitated: every path 404' },
  'developer.mozilla.org': { site: nothingHere, what: 'only in a comment' },
};

export const GRPC_ADDRESS = '127.0.0.1:10000';

export interface StandIns {
  cert: Certificate;
  /** Requests each site got, per "METHOD host/path", since the last reset. */
  counts(): Record<string, number>;
  reset(): void;
  /** Variables every example gets (`--env`): REDIS_ADDRS when there is a redis-server. */
  env: Record<string, string>;
  /** An example's source with its URLs sent to the stand-ins. */
  rewrite(source: string): string;
  close(): Promise<void>;
}

const literally = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function startStandIns(): Promise<StandIns> {
  const cert = makeCertificate();
  let counts: Record<string, number> = {};
  const served: [string, ServedSite][] = [];
  for (const [host, s] of Object.entries(SITES)) {
    const count = (key: string) => {
      const [method, path] = key.split(' ');
      const k = `${method} ${host}${path}`;
      counts[k] = (counts[k] ?? 0) + 1;
    };
    served.push([host, await serveSite(s.site, cert, count, s.upgrade?.())]);
  }
  const grpc: GrpcStandIn = await startGrpcStandIn();
  const redis: RedisStandIn | undefined = await startRedisStandIn();
  const rewrite = (source: string) => {
    let out = source;
    for (const [host, site] of served) {
      const origin = new RegExp(`\\b(https?|wss?)://([^/@\\s"'\`]+@)?${literally(host)}(?![\\w.-])`, 'g');
      out = out.replace(origin, (_, scheme: string, auth = '') => {
        const port = scheme === 'https' || scheme === 'wss' ? site.httpsPort : site.httpPort;
        return `${scheme}://${auth}127.0.0.1:${port}`;
      });
      out = out.replace(new RegExp(`(["'])${literally(host)}\\1`, 'g'), '$1127.0.0.1$1');
    }
    return out.replaceAll(GRPC_ADDRESS, grpc.address);
  };
  return {
    cert,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
    env: redis ? { REDIS_ADDRS: redis.address } : {},
    rewrite,
    close: async () => {
      await Promise.all(served.map(([, s]) => s.close()));
      await grpc.close();
      await redis?.close();
    },
  };
}
