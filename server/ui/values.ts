/**
 * A proposal as the reviewer must see it: every member, in the contract's order, with the
 * contract's titles, never a summary; and the edit form generated from the same schema. Every
 * value is model output, so every value goes through `html` escaping, attributes included.
 */
import { html, raw } from 'hono/html';

type Schema = Readonly<Record<string, unknown>>;
type Html = ReturnType<typeof html>;

const props = (s: Schema | undefined) => ((s?.properties ?? {}) as Record<string, Schema>);

/** A value as text: strings as they are, anything else as JSON. */
export const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

/** Every member of `value`: the contract's members first, in its order, then any others. */
export function fields(value: unknown, schema: Schema | undefined, highlight: ReadonlySet<string>, pointer = ''): Html {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return html`<code>${text(value)}</code>`;
  const known = Object.keys(props(schema));
  const keys = [...known.filter((k) => Object.hasOwn(value, k)), ...Object.keys(value).filter((k) => !known.includes(k))];
  return html`<dl class="fields">${keys.map((k) => {
    const p = `${pointer}/${k}`;
    const sub = props(schema)[k];
    const v = (value as Record<string, unknown>)[k];
    const nested = typeof v === 'object' && v !== null && !Array.isArray(v);
    return html`<div class="${highlight.has(p) ? 'field hot' : 'field'}" data-pointer="${p}"><dt title="${text(sub?.description ?? '')}">${k}</dt><dd>${nested ? fields(v, sub, highlight, p) : html`<code>${text(v)}</code>`}</dd></div>`;
  })}</dl>`;
}

/** Form controls for the proposal's top-level members: enums as selects, text, numbers, booleans; anything nested as JSON. */
export function editForm(proposal: unknown, schema: Schema | undefined): Html {
  const current = (typeof proposal === 'object' && proposal !== null ? proposal : {}) as Record<string, unknown>;
  const required = new Set((schema?.required ?? []) as string[]);
  const names = [...new Set([...Object.keys(props(schema)), ...Object.keys(current)])];
  return html`<form class="edit" data-role="edit-form" hidden>${names.map((name) => control(name, props(schema)[name], current[name], required.has(name)))}
    <p class="hint">Only changed fields are sent. The edited proposal is decided again by the policy. <button type="submit">Submit edit <kbd>Ctrl+Enter</kbd></button> <button type="button" data-do="cancel">Cancel <kbd>Esc</kbd></button></p></form>`;
}

function control(name: string, s: Schema | undefined, value: unknown, required: boolean): Html {
  const type = s?.type;
  const id = `edit-${name}`;
  const label = html`<label for="${id}">${name}${required ? raw(' <abbr title="required">*</abbr>') : ''}</label>`;
  const original = JSON.stringify(value ?? null);
  if (Array.isArray(s?.enum)) {
    return html`<div class="control">${label}<select id="${id}" name="${name}" data-kind="json" data-original="${original}">${value === undefined ? html`<option value="null" selected>(none)</option>` : ''}${(s.enum as unknown[]).map((e) => html`<option value="${JSON.stringify(e)}"${JSON.stringify(e) === original ? raw(' selected') : ''}>${text(e)}</option>`)}</select></div>`;
  }
  if (type === 'boolean') return html`<div class="control">${label}<input type="checkbox" id="${id}" name="${name}" data-kind="boolean" data-original="${original}"${value === true ? raw(' checked') : ''}></div>`;
  if (type === 'number' || type === 'integer') return html`<div class="control">${label}<input type="number" step="any" id="${id}" name="${name}" data-kind="number" data-original="${original}" value="${value === undefined ? '' : String(value)}"></div>`;
  if (type === 'string') {
    const long = typeof s?.maxLength === 'number' && s.maxLength > 200;
    return long
      ? html`<div class="control">${label}<textarea id="${id}" name="${name}" data-kind="string" data-original="${original}" rows="3">${value === undefined ? '' : text(value)}</textarea></div>`
      : html`<div class="control">${label}<input type="text" id="${id}" name="${name}" data-kind="string" data-original="${original}" value="${value === undefined ? '' : text(value)}"></div>`;
  }
  return html`<div class="control">${label}<textarea id="${id}" name="${name}" data-kind="json" data-original="${original}" rows="3">${value === undefined ? '' : JSON.stringify(value, null, 2)}</textarea></div>`;
}
