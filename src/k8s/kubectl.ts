/**
 * kubectl as a child process: found on PATH (or given), run with arguments and an optional
 * stdin, its stdout returned. A kubectl that is missing or fails is a `KubectlError` (exit 2)
 * that shows what kubectl said on stderr.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { KubectlError } from '../errors.ts';

export interface Kubectl {
  /** The executable's path. */
  path: string;
  /** Runs kubectl; resolves with its stdout, or throws `KubectlError` with its stderr. */
  run(args: string[], input?: string): Promise<string>;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The kubectl to use: `given` (a path), else the first `kubectl` on PATH. */
export function findKubectl(given?: string, pathVariable = process.env.PATH ?? ''): string {
  if (given !== undefined) {
    const path = isAbsolute(given) || given.includes('/') ? resolve(given) : undefined;
    if (path !== undefined) {
      if (!isExecutableFile(path)) throw new KubectlError(`--kubectl: ${given} is not an executable file`);
      return path;
    }
  }
  const name = given ?? 'kubectl';
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new KubectlError(
    `${name} was not found on PATH: install kubectl (configured for your cluster) or give its path with --kubectl`,
  );
}

export function kubectlAt(path: string): Kubectl {
  return {
    path,
    run: (args, input) =>
      new Promise((resolvePromise, reject) => {
        const child = spawn(path, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout?.on('data', (d: Buffer) => out.push(d));
        child.stderr?.on('data', (d: Buffer) => err.push(d));
        child.on('error', (e) =>
          reject(new KubectlError(`cannot run ${path} (${(e as NodeJS.ErrnoException).code ?? e.message})`)),
        );
        if (input !== undefined) {
          // kubectl may exit before reading all of stdin; its exit code and stderr say why.
          child.stdin?.on('error', () => {});
          child.stdin?.end(input);
        }
        child.on('close', (code, signal) => {
          if (code === 0) return resolvePromise(Buffer.concat(out).toString('utf8'));
          const said = Buffer.concat(err).toString('utf8').trim();
          const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
          reject(
            new KubectlError(
              `kubectl ${args.join(' ')} ${how}${said ? `:\n${said}` : ' and said nothing on stderr'}`,
            ),
          );
        });
      }),
  };
}
