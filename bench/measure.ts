/**
 * Runs a command and measures it from outside: wall time, CPU time (user + system) and peak
 * RSS of the whole process tree, read by the kernel's rusage for children.
 */
import { spawn } from 'node:child_process';

export interface Measured {
  stdout: string;
  stderr: string;
  code: number | null;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

const WRAPPER = `
import json, resource, subprocess, sys, time
t = time.time()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.write(p.stdout)
sys.stderr.write(p.stderr)
sys.stderr.write("\\n@@MEASURE " + json.dumps({"code": p.returncode, "wall": time.time() - t, "cpu": r.ru_utime + r.ru_stime, "rss": r.ru_maxrss}) + "\\n")
`;

export function measure(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', WRAPPER, cmd, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      const m = /@@MEASURE (.*)\n/.exec(stderr);
      if (!m) return reject(new Error(`no measurement: ${stderr.slice(-500)}`));
      const j = JSON.parse(m[1] as string);
      resolve({
        stdout,
        stderr: stderr.replace(m[0], ''),
        code: j.code,
        wallMs: j.wall * 1000,
        cpuMs: j.cpu * 1000,
        maxRssMb: j.rss / 1024,
      });
    });
  });
}
