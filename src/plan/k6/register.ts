/** Makes k6 scripts importable in this thread: the plan loader, then the k6 hooks over it. */
import { register } from 'node:module';
import { registerPlanLoader } from '../register.ts';

let done = false;

export async function registerK6Loader(): Promise<void> {
  if (done) return;
  done = true;
  await registerPlanLoader();
  register(new URL('./loader-hooks.mjs', import.meta.url));
}
