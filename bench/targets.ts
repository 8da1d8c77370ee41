/** Starts bench/server.mjs in its own process and returns its URL. */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Target {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function startTarget(kind: string): Promise<Target> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [new URL('./server.mjs', import.meta.url).pathname, kind],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.once('error', reject);
    child.stdout?.once('data', (d) => {
      const port = Number(String(d).trim());
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        stop: () =>
          new Promise((res) => {
            child.once('exit', () => res());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
