/**
 * Runs one of k6's examples with k6 or with loadproof against the stand-ins, on a copy of the
 * examples whose URLs are rewritten to loopback, and reads the facts of the run; then says what
 * class of result loadproof's run is beside k6's.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults, runCli, runProcess } from '../../../helpers/cli.ts';
import { CORPUS_DIR, type Example } from './corpus.ts';
import type { Facts } from './facts.ts';
import { factsFromK6 } from './k6-facts.ts';
import { factsFromLoadproof } from './loadproof-facts.ts';
import type { StandIns } from './standins/standins.ts';

/** What one tool did with one example. */
export type Outcome =
  /**
   * `error`: the first error the tool logged while it ran (an iteration that threw), if any.
   * `noGoByDefaults` (loadproof): NO-GO only through its default thresholds or run validity,
   * which k6 does not have.
   */
  | { kind: 'ran'; exitCode: number; facts: Facts; error?: string; noGoByDefaults?: boolean }
  | { kind: 'failed'; exitCode: number | null; message: string };

/** A copy of the examples with every .js file rewritten for the stand-ins; the originals stay as they are. */
export function rewrittenCopy(standIns: StandIns): string {
  const dir = mkdtempSync(join(tmpdir(), 'loadproof-k6-examples-'));
  cpSync(CORPUS_DIR, dir, { recursive: true });
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.js')) writeFileSync(p, standIns.rewrite(readFileSync(p, 'utf8')));
    }
  };
  walk(dir);
  return dir;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes
const COLOUR = /\u001b\[[0-9;]*m/g;

/** The first error a tool printed (k6: its `msg`), without colours or stack, bounded. */
export function firstError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('WARN') && !/level=warning/.test(l));
  const at = Math.max(
    0,
    lines.findIndex((l) => /error|refus|not supported|cannot|unknown|invalid/i.test(l)),
  );
  // A message ending in a colon goes on on the next line (loadproof's `invalid plan (1 problem):`).
  const line = lines[at]?.endsWith(':') ? `${lines[at]} ${lines[at + 1] ?? ''}` : (lines[at] ?? '');
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line;
  return msg.replace(COLOUR, '').split('\\n')[0].slice(0, 200);
}

/**
 * Request names as paths: k6 names a request by its URL, loadproof by its path; the origin (a
 * loopback port that changes each run) is left out, and an origin without a path is `/`. The
 * query string stays: k6 keeps it in the name, loadproof does not (issue 28).
 */
function byPath(record: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(record)) {
    const k = key.replace(/ [a-z]+:\/\/[^/ ]+(\/?)/, ' /');
    out[k] = (out[k] ?? 0) + n;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Threshold names with a rewritten URL in a tag filter, without its port (it changes each run). */
function withoutPorts<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [k.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1'), v]),
  );
}

function normalized(f: Facts): Facts {
  return {
    ...f,
    responses: byPath(f.responses),
    failedRequests: byPath(f.failedRequests),
    thresholds: withoutPorts(f.thresholds),
  };
}

const envArgs = (standIns: StandIns) =>
  Object.entries(standIns.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);

export async function runK6(k6: string, ex: Example, copy: string, standIns: StandIns): Promise<Outcome> {
  standIns.reset();
  const dir = mkdtempSync(join(tmpdir(), 'loadproof-k6-corpus-'));
  const json = join(dir, 'samples.json');
  const summary = join(dir, 'summary.json');
  const args = ['run', '--quiet', '--no-usage-report', '--out', `json=${json}`, '--summary-export', summary];
  const r = await runProcess(k6, [...args, ...envArgs(standIns), ...(ex.cap ?? []), join(copy, ex.file)], {
    cwd: copy,
    env: { ...process.env, SSL_CERT_FILE: standIns.cert.certFile, K6_NO_COLOR: 'true' },
    timeoutMs: 600_000,
  });
  try {
    if (r.code !== 0 && r.code !== 99)
      return { kind: 'failed', exitCode: r.code, message: firstError(r.stderr) };
    const facts = factsFromK6({
      exitCode: r.code,
      jsonOutput: readFileSync(json, 'utf8'),
      summaryExport: readFileSync(summary, 'utf8'),
      serverUrl: '',
      server: standIns.counts(),
    });
    const error = r.stderr.includes('level=error') ? firstError(r.stderr) : undefined;
    return { kind: 'ran', exitCode: r.code, facts: normalized(facts), ...(error ? { error } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runLoadproof(ex: Example, copy: string, standIns: StandIns, customMetrics: string[]) {
  standIns.reset();
  const out = mkdtempSync(join(tmpdir(), 'loadproof-k6-corpus-'));
  const args = ['run', join(copy, ex.file), '--out', out, '--workers', '1', ...envArgs(standIns)];
  const r = await runCli([...args, ...(ex.cap ?? [])], {
    cwd: copy,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: standIns.cert.certFile },
    timeoutMs: 180_000,
  });
  try {
    if (r.code !== 0 && r.code !== 3)
      return {
        kind: 'failed',
        exitCode: r.code,
        message: firstError(r.stderr.replaceAll(`${copy}/`, '')),
      } as Outcome;
    const results = readResults(out);
    const facts = factsFromLoadproof(results, r.code, standIns.counts(), customMetrics);
    const noGoByDefaults =
      r.code === 3 &&
      results.thresholds.every((t) => t.ok || t.isDefault) &&
      results.checks.every((c) => c.ok);
    return { kind: 'ran', exitCode: r.code, facts: normalized(facts), noGoByDefaults } as Outcome;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
