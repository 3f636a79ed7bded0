/** A generated input: a proposal and, for actions that have one, a context. */
import type { CompiledAction } from '../../engine/compile/policy.js';
import type { DecideRequest } from '../../engine/index.js';

export interface Input { proposal: unknown; context: unknown }

/** The request that decides `x` for the action at `now`. */
export function requestOf(action: CompiledAction, x: Input, now: string): DecideRequest {
  return { action: action.name, proposal: x.proposal, ...(action.context ? { context: x.context as Record<string, unknown> } : {}), now };
}

/** Whether `x` satisfies the action's contracts (only one of them, when `only` says so). */
export function validInput(action: CompiledAction, x: Input, only?: 'proposal' | 'context'): boolean {
  return (only === 'context' || action.contract.validate(x.proposal, '/proposal').length === 0)
    && (only === 'proposal' || !action.context || action.context.validate(x.context, '/context').length === 0);
}
