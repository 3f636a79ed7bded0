/** JSON objects and JSON Pointers (RFC 6901), read the same way by the engine, the gate and the tools. */

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A member name as one pointer token: `~` → `~0`, `/` → `~1`. */
export function escapeToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/a/b~1c` → `['a', 'b/c']`; the empty pointer names the whole document: `[]`. */
export function pointerSteps(pointer: string): string[] {
  return pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The node a local `$ref` (`#/$defs/money`) names in `root`; undefined when it names none. */
export function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const key of pointerSteps(ref.slice(1))) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}
