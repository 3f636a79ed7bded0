/** Risk: the points of every signal that fired (or could not be decided, failing closed) → score → tier → route. */
import type { RiskModel } from '../compile/ir.js';
import type { Outcome } from '../ast/types.js';
import type { Risk } from './types.js';

export const BASE_TIER = 'low';

export function tierOf(model: RiskModel, score: number): string {
  let tier = BASE_TIER;
  for (const t of model.tiers) if (score >= t.min) tier = t.name;
  return tier;
}

export function scoreRisk(model: RiskModel, signals: Risk['signals']): { risk: Risk; route?: Outcome } {
  let score = 0;
  for (const s of signals) score += s.points;
  const tier = tierOf(model, score);
  const route = model.route.get(tier);
  return { risk: { score, tier, signals }, ...(route ? { route } : {}) };
}
