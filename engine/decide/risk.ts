/** Risk: the points of every signal that fired (or could not be decided, failing closed) → score → tier → route. */
import type { RiskModel } from '../compile/ir.js';

export const BASE_TIER = 'low';

export function tierOf(model: RiskModel, score: number): string {
  let tier = BASE_TIER;
  for (const t of model.tiers) if (score >= t.min) tier = t.name;
  return tier;
}
