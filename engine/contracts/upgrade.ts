/**
 * Applies a declared upgrade (ast/upgrade.ts) to a proposal that satisfies the older version.
 * Steps run in order on a copy. A step whose member is absent does nothing (an optional member
 * the proposal left out); a step that would overwrite a member, or write into a value that is
 * not an object, fails, and the request is rejected with `contract.upgrade_failed`: an upgrade
 * never guesses.
 */
import { own } from '../eval/runtime.js';
import { escapeToken, isObject } from '../values/json.js';

export type UpgradeStep =
  /** `rename` is a move within one object */
  | { op: 'move'; from: readonly string[]; to: readonly string[] }
  | { op: 'default'; at: readonly string[]; value: unknown }
  | { op: 'map'; at: readonly string[]; values: ReadonlyMap<string, unknown> }
  | { op: 'drop'; at: readonly string[] };

export interface Upgrade {
  /** `refund_order@1` */
  from: string;
  to: string;
  /** the upgrade file, relative to the policy root */
  file: string;
  steps: readonly UpgradeStep[];
}

export interface UpgradeFailure { step: number; pointer: string; message: string }

/**
 * Upgrades `doc` in place (pass a copy); returns why it could not, or undefined. `changes`, when
 * given, receives one line for each step that changed something, for the trace.
 */
export function applyUpgrade(doc: unknown, u: Upgrade, changes?: string[]): UpgradeFailure | undefined {
  for (let i = 0; i < u.steps.length; i++) {
    const s = u.steps[i]!;
    const problem = applyStep(doc, s, changes);
    if (problem) return { step: i + 1, pointer: problem.pointer, message: `step ${i + 1} of \`${u.file}\` cannot apply: ${problem.message}` };
  }
  return undefined;
}

function applyStep(doc: unknown, s: UpgradeStep, changes?: string[]): { pointer: string; message: string } | undefined {
  switch (s.op) {
    case 'move': {
      const parent = own(doc, s.from.slice(0, -1));
      const name = s.from.at(-1)!;
      if (!hasMember(parent, name)) return undefined;
      const target = makeParents(doc, s.to.slice(0, -1));
      if (typeof target === 'string') return { pointer: target, message: `\`${target}\` is not an object` };
      if (hasMember(target, s.to.at(-1)!)) return { pointer: pointerOf(s.to), message: `\`${pointerOf(s.to)}\` is already there` };
      setMember(target, s.to.at(-1)!, parent[name]);
      delete parent[name];
      changes?.push(`moved \`${pointerOf(s.from)}\` to \`${pointerOf(s.to)}\``);
      return undefined;
    }
    case 'default': {
      const parent = own(doc, s.at.slice(0, -1));
      if (!isObject(parent) || hasMember(parent, s.at.at(-1)!)) return undefined;
      setMember(parent, s.at.at(-1)!, structuredClone(s.value));
      changes?.push(`set \`${pointerOf(s.at)}\` to ${JSON.stringify(s.value)}`);
      return undefined;
    }
    case 'map': {
      const parent = own(doc, s.at.slice(0, -1));
      const name = s.at.at(-1)!;
      const v = hasMember(parent, name) ? parent[name] : undefined;
      if ((typeof v !== 'string' && typeof v !== 'number') || !s.values.has(String(v))) return undefined;
      const to = s.values.get(String(v));
      setMember(parent as Record<string, unknown>, name, structuredClone(to));
      changes?.push(`mapped \`${pointerOf(s.at)}\` ${JSON.stringify(v)} to ${JSON.stringify(to)}`);
      return undefined;
    }
    case 'drop': {
      const parent = own(doc, s.at.slice(0, -1));
      if (!hasMember(parent, s.at.at(-1)!)) return undefined;
      delete parent[s.at.at(-1)!];
      changes?.push(`dropped \`${pointerOf(s.at)}\``);
      return undefined;
    }
  }
}

/** The object at `steps`, made where absent; the pointer of the first value on the way that is not an object. */
function makeParents(doc: unknown, steps: readonly string[]): Record<string, unknown> | string {
  let node = doc;
  for (let i = 0; i < steps.length; i++) {
    if (!isObject(node)) return pointerOf(steps.slice(0, i));
    if (!hasMember(node, steps[i]!)) setMember(node, steps[i]!, {});
    node = node[steps[i]!];
  }
  return isObject(node) ? node : pointerOf(steps);
}

function hasMember(o: unknown, name: string): o is Record<string, unknown> {
  return isObject(o) && Object.prototype.hasOwnProperty.call(o, name);
}

/** An own data member even for `__proto__`, which plain assignment would take as the prototype. */
function setMember(o: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(o, name, { value, writable: true, enumerable: true, configurable: true });
}

export function pointerOf(steps: readonly string[]): string {
  return steps.length ? `/${steps.map(escapeToken).join('/')}` : '/';
}
