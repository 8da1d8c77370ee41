/**
 * Remote modules of k6 scripts (`import x from 'https://jslib.k6.io/...'`): fetched when the
 * script is loaded and kept in a cache folder, one file per URL (named by the URL's SHA-256),
 * `$LOADPROOF_MODULE_CACHE` or `~/.cache/loadproof/modules`. With `--offline` only the cache is
 * read. The first read of a script in a run fetches; the engine's workers, which read it after,
 * read the cache it just filled. TLS is Node's: a private CA is trusted through NODE_EXTRA_CA_CERTS.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PlanLoadError } from '../../../errors.ts';

const MAX_MODULE_BYTES = 16 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

export function moduleCacheDir(): string {
  return process.env.LOADPROOF_MODULE_CACHE || join(homedir(), '.cache', 'loadproof', 'modules');
}

function cacheFile(url: string): string {
  return join(moduleCacheDir(), `${createHash('sha256').update(url).digest('hex')}.js`);
}

function readCached(url: string): string | undefined {
  try {
    return readFileSync(cacheFile(url), 'utf8');
  } catch {
    return undefined;
  }
}

function get(url: string, redirects = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.get(url, { timeout: FETCH_TIMEOUT_MS }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
        return resolve(get(new URL(res.headers.location, url).href, redirects + 1));
      }
      if (status !== 200) {
        res.resume();
        return reject(new Error(`HTTP ${status}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_MODULE_BYTES) req.destroy(new Error(`larger than ${MAX_MODULE_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${FETCH_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
  });
}

/** The source of a remote module: fetched (and cached), or from the cache when offline. */
export async function remoteModuleSource(
  url: string,
  { offline, cachedOnly }: { offline: boolean; cachedOnly: boolean },
): Promise<string> {
  if (offline || cachedOnly) {
    const cached = readCached(url);
    if (cached !== undefined) return cached;
    throw new PlanLoadError(
      `${url}: remote module not in the module cache (${moduleCacheDir()})${offline ? ' and --offline was given' : ''}`,
    );
  }
  let source: string;
  try {
    source = await get(url);
  } catch (e) {
    throw new PlanLoadError(`${url}: remote module could not be fetched: ${(e as Error).message}`);
  }
  const file = cacheFile(url);
  try {
    mkdirSync(moduleCacheDir(), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, source);
    renameSync(tmp, file);
  } catch (e) {
    throw new PlanLoadError(
      `${url}: fetched, but the module cache could not be written: ${(e as Error).message}`,
    );
  }
  return source;
}
