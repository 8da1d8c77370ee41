/**
 * The `loop` and `parallel` steps: a loop over a count (a number or "from-to"), a list (or a
 * variable's list) or while a processor function says so, with `$loopCount` / `$loopElement`
 * (or the names the step gives); and steps run at once, at most `limit` together.
 */
import { callCondition } from './processor.ts';
import type { ArtilleryContext, LoopOptions } from './script-types.ts';
import { getPath, templateText } from './template.ts';
import { ArtilleryUserError } from './user-error.ts';

/** How long a loop may run before it lets timers and signals in. */
const LOOP_YIELD_MS = 10;

export async function runLoop(
  context: ArtilleryContext,
  signal: AbortSignal,
  opts: LoopOptions,
  body: () => Promise<void>,
): Promise<void> {
  const vars = context.vars;
  const indexVar = opts.loopValue ?? '$loopCount';
  const elementVar = opts.loopElement ?? '$loopElement';
  let from = 0;
  let to = -1;
  if (opts.count !== undefined) {
    const c = typeof opts.count === 'string' ? templateText(opts.count, context) : opts.count;
    const range = typeof c === 'string' ? /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(c) : null;
    if (range) {
      from = Number(range[1]);
      to = Number(range[2]);
    } else {
      // A templated count may render to anything; a negative one is no loop, not an endless one.
      const n = Number(c);
      to = Number.isFinite(n) && n > 0 ? n : 0;
    }
  }
  let over: unknown[] | undefined;
  if (opts.over !== undefined) {
    const v = typeof opts.over === 'string' ? getPath(vars, opts.over) : opts.over;
    if (!Array.isArray(v)) return;
    over = v;
  }
  let i = from;
  vars[elementVar] = over ? over[i] : i;
  vars[indexVar] = i;
  let again = true;
  let lastYield = performance.now();
  for (;;) {
    if (signal.aborted) throw new ArtilleryUserError('loop: the run stopped', 'ABORTED');
    if (opts.whileTrue) {
      if (!again) break;
    } else if (over) {
      if (i >= over.length) break;
    } else if (!(i < to || to === -1)) break;
    await body();
    i++;
    vars[indexVar] = (vars[indexVar] as number) + 1;
    if (over) vars[elementVar] = over[i];
    if (opts.whileTrue) again = await callCondition(opts.whileTrue, context);
    // Steps that never wait (log, a skipped request, a function) would keep this loop in
    // microtasks: timers, the end of the run and SIGTERM would wait for it to finish.
    if (performance.now() - lastYield > LOOP_YIELD_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
}

/** `parallel`: the steps at once, at most `limit` (100) together. */
export async function runParallel(bodies: readonly (() => Promise<void>)[], limit = 100): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < bodies.length) {
      const b = bodies[next++] as () => Promise<void>;
      await b();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, bodies.length) }, lane));
}
