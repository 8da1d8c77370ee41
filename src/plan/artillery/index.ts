/**
 * Artillery scripts (YAML) as loadproof plans.
 */
import { PlanLoadError } from '../../errors.ts';
import type { PlanFileOptions } from '../load.ts';
import type { PlanInput } from '../types.ts';

export async function loadArtilleryScript(file: string, _options: PlanFileOptions): Promise<PlanInput> {
  throw new PlanLoadError(`${file}: Artillery scripts are not supported yet`);
}
