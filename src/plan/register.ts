/**
 * Makes TypeScript plan files importable in this thread: tsx for the syntax, and a resolve
 * hook so that `import { definePlan } from 'loadproof'` means this loadproof.
 */
import { register } from 'node:module';

let done = false;

export async function registerPlanLoader(): Promise<void> {
  if (done) return;
  done = true;
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  register(new URL('./loader-hooks.mjs', import.meta.url));
}
