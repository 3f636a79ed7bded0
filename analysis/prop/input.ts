/** A generated input: a proposal and, for actions that have one, a context. */
import type { CompiledAction } from '../../engine/internal.js';
import type { DecideRequest } from '../../engine/index.js';
import { memberSchema, numberStep, withAt, type Steps } from './schema.js';

export interface Input { proposal: unknown; context: unknown }

export type Root = 'proposal' | 'context';

/** The request that decides `x` for the action at `now`. */
export function requestOf(action: CompiledAction, x: Input, now: string): DecideRequest {
  return { action: action.name, proposal: x.proposal, ...(action.context ? { context: x.context as Record<string, unknown> } : {}), now };
}

/** Whether `x` satisfies the action's contracts (only one of them, when `only` says so). */
export function validInput(action: CompiledAction, x: Input, only?: Root): boolean {
  return (only === 'context' || action.contract.validate(x.proposal, '/proposal').length === 0)
    && (only === 'proposal' || !action.context || action.context.validate(x.context, '/context').length === 0);
}

/** The input with one member of one root changed (removed when `value` is undefined); undefined when a parent on the path is not an object. */
export function edited(x: Input, root: Root, steps: Steps, value: unknown): Input | undefined {
  const changed = withAt(x[root], steps, value);
  return changed && { ...x, [root]: changed };
}

/** The step between neighbouring values of a number member of the proposal or the context (see numberStep). */
export function memberStep(action: CompiledAction, root: Root, steps: Steps): number {
  return numberStep(memberSchema(root === 'proposal' ? action.contract.schema : action.context?.schema, steps));
}
