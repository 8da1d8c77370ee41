/**
 * Child processes a suite starts (the services under test), stopped on exit, on Ctrl-C and on
 * failure: nothing is left running.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface StartedProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** The last lines it printed, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

const running = new Set<StartedProcess>();

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** URL whose GET must answer 200 before the process counts as started. */
  healthUrl: string;
  url: string;
  timeoutMs?: number;
}

export async function startProcess(o: StartOptions): Promise<StartedProcess> {
  const child = spawn(o.command, o.args, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    for (const l of String(d).split('\n')) if (l.trim()) lines.push(l);
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const p: StartedProcess = {
    name: o.name,
    url: o.url,
    child,
    tail: () => lines.join('\n'),
    stop: async () => {
      running.delete(p);
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
  running.add(p);
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`${o.name} exited while starting:\n${p.tail()}`);
    try {
      const res = await fetch(o.healthUrl, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return p;
    } catch {}
    if (Date.now() > deadline) {
      await p.stop();
      throw new Error(
        `${o.name} did not answer ${o.healthUrl} within ${(o.timeoutMs ?? 60_000) / 1000}s:\n${p.tail()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops every process still running (in reverse start order). */
export async function stopAll(): Promise<void> {
  for (const p of [...running].reverse()) await p.stop();
}
