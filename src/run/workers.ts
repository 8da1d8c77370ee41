/** How many worker threads a run gets when none are asked for. */
import { availableParallelism, networkInterfaces } from 'node:os';

/**
 * Worker threads when none are asked for: one per core, less one when the target runs on this
 * machine (a loopback address, localhost, or an address of one of its interfaces), since the
 * server then needs a core too. The measurements behind it are in docs/performance.md
 * ("Generator", the workers paragraph).
 */
export function defaultWorkers(target?: string): number {
  const cores = Math.max(1, availableParallelism());
  return target !== undefined && isLocalTarget(target) ? Math.max(1, cores - 1) : cores;
}

/** Whether a target URL points at this machine, judged without a DNS lookup. */
export function isLocalTarget(target: string): boolean {
  let host: string;
  try {
    host = new URL(target).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '::') return true;
  if (host === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.address.toLowerCase() === host) return true;
  return false;
}
