/**
 * Artillery scripts (YAML) as loadproof plans: not built yet (issue 4). A .yml plan is refused
 * with this message, exit 2; the CLI offers no Artillery option until then.
 */
import { PlanLoadError } from '../../errors.ts';
import type { PlanFileOptions } from '../load.ts';
import type { PlanInput } from '../types.ts';

export async function loadArtilleryScript(file: string, _options: PlanFileOptions): Promise<PlanInput> {
  throw new PlanLoadError(`${file}: Artillery scripts are not supported yet`);
}
