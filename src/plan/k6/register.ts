/** Makes k6 scripts importable in this thread: the plan loader, then the k6 hooks over it. */
import module from 'node:module';
import { registerPlanLoader } from '../register.ts';

/** `module.registerHooks` (Node 22.15+, 23.5+), not yet in the Node 20 types this package builds with. */
type RegisterHooks = (hooks: { resolve: unknown; load: unknown }) => unknown;

let done = false;

export async function registerK6Loader(): Promise<void> {
  if (done) return;
  done = true;
  await registerPlanLoader();
  const hooks = new URL('./loader-hooks.mjs', import.meta.url);
  const registerHooks = (module as { registerHooks?: RegisterHooks }).registerHooks;
  if (registerHooks) {
    // In this thread, where tsx compiles the hooks' TypeScript imports: on the Node versions that
    // have registerHooks, tsx registers its own hooks in-thread too, and the hooks thread that
    // module.register would load them in then has no TypeScript (a SyntaxError on the first type).
    const { resolve, load } = await import(hooks.href);
    registerHooks({ resolve, load });
  } else {
    module.register(hooks);
  }
}
