/**
 * The review page's server-rendered parts: the queue, one item, and the strip. The page's script
 * fetches them with the reviewer's key and puts them in place; everything in them that came from
 * a proposal or a context is escaped here.
 */
import { html } from 'hono/html';
import type { Decision } from '../../engine/index.js';
import type { Review } from '../../gate/ports.js';
import type { detail, stats } from '../routes/reviews.js';
import { editForm, fields, text } from './values.js';

type Detail = Awaited<ReturnType<typeof detail>>;
type Stats = Awaited<ReturnType<typeof stats>>;

const tierClass = (tier: string) => (['low', 'medium', 'high'].includes(tier) ? `risk-${tier}` : 'risk-other');
const badge = (r: Pick<Review, 'riskTier' | 'riskScore'>) => html`<span class="badge ${tierClass(r.riskTier)}">${r.riskTier} · ${r.riskScore}</span>`;
const timeLeft = (r: Review) => (r.status === 'pending'
  ? html`<time class="left" data-expires="${r.expiresAt}" data-on-expiry="${r.onExpiry}" datetime="${r.expiresAt}">${r.expiresAt}</time>` : html`<span class="closed">${r.status}</span>`);

/** One row per item; the attributes carry what the script needs to act on it. */
export function queueList(items: Review[], status: 'pending' | 'closed') {
  if (!items.length) return html`<p class="empty">${status === 'pending' ? 'Nothing is waiting for review.' : 'No decided items yet.'}</p>`;
  return html`<ol class="queue" data-count="${items.length}">${items.map((it) => html`<li class="item ${tierClass(it.riskTier)}" tabindex="-1"
      data-id="${it.id}" data-hash="${it.proposalHash}" data-action="${it.action}" data-tier="${it.riskTier}" data-status="${it.status}" data-batch="${batchNote(it)}">
    <span class="mark" aria-hidden="true"></span>
    <span class="what"><strong>${it.action}</strong> <span class="queue-name">${it.queue}</span> ${badge(it)}</span>
    <span class="why">${it.messages.map((m) => html`<span class="reason">${m}</span>`)}</span>
    <span class="who">from <code>${it.submitter}</code>${it.entity === null ? '' : html` · ${it.entity}`}</span>
    ${status === 'pending' ? timeLeft(it) : html`<span class="verdict">${it.status} by <code>${it.decidedBy ?? ''}</code>${it.reason ? html`: ${it.reason.text}` : ''}</span>`}
  </li>`)}</ol>`;
}

/** Why an item may not be approved in a batch (empty when it may); the server checks again. */
function batchNote(r: Review): string {
  if (r.sideEffects === 'financial') return `${r.action} has financial side effects`;
  return r.riskTier === 'low' || r.riskTier === 'medium' ? '' : `risk tier ${r.riskTier} is above medium`;
}

/** Everything about one item: the exact proposal, the effect preview, why it is here, who and what decided. */
export function itemDetail(d: Detail) {
  const r = d.review;
  const leaves = firedLeaves(d.decision);
  const hot = new Set(leaves.flatMap((l) => (l.fact.startsWith('proposal.') ? [`/${l.fact.slice(9).replaceAll('.', '/')}`] : [])));
  return html`<article class="detail ${tierClass(r.riskTier)}" data-id="${r.id}" data-hash="${r.proposalHash}" data-action="${r.action}" data-status="${r.status}">
  <header>
    <h2>${r.action} ${badge(r)}</h2>
    <p class="meta">${timeLeft(r)} · queue <code>${r.queue}</code> · submitted by <code>${d.caller}</code> at ${d.recordedAt}
      · policy <code title="${d.decision.revision}">${d.decision.revision.slice(0, 19)}</code> · contract <code>${d.decision.contract}</code>
      ${r.editOf ? html` · an edit of <code>${r.editOf}</code>` : ''}</p>
    <p class="actions">
      <button type="button" data-do="approve">Approve <kbd>A</kbd></button>
      <button type="button" data-do="reject">Reject <kbd>R</kbd></button>
      <button type="button" data-do="edit">Edit <kbd>E</kbd></button>
      <button type="button" data-do="extend">Extend 1h <kbd>T</kbd></button>
    </p>
  </header>
  <section class="reasons-picker" data-role="reason-picker" hidden>
    <h3>Reject: why?</h3>
    <ol>${d.presets.map((p, i) => html`<li><button type="button" data-do="preset" data-code="${p.code}"><kbd>${i + 1}</kbd> ${p.text}</button></li>`)}</ol>
    <p><label for="reason-text">Or type a reason</label> <input id="reason-text" type="text" maxlength="1000" data-role="reason-text"> <button type="button" data-do="reason-text">Reject <kbd>Enter</kbd></button> <button type="button" data-do="cancel">Cancel <kbd>Esc</kbd></button></p>
  </section>
  ${d.preview.length ? html`<section><h3>Effect</h3><table class="preview">${d.preview.map((p) => html`<tr><th>${p.field}</th><td><code>${text(p.current)}</code></td><td aria-hidden="true">→</td><td><code class="proposed">${text(p.proposed)}</code></td></tr>`)}</table></section>` : ''}
  <section><h3>Why it is here</h3>
    <ul class="why">${d.decision.reasons.map((x) => html`<li><code>${x.rule ?? x.kind}</code> <span class="outcome-${x.outcome}">${x.outcome}</span>: ${x.message}</li>`)}</ul>
    ${leaves.length ? html`<table class="compared"><tr><th>fact</th><th>value</th><th>operator</th><th>compared with</th></tr>${leaves.map((l) => html`<tr><td><code>${l.fact}</code></td><td><code>${text(l.value)}</code></td><td>${l.operator}</td><td><code>${text(l.expected)}</code></td></tr>`)}</table>` : ''}
    ${d.decision.risk.signals.length ? html`<p>Risk signals: ${d.decision.risk.signals.map((s) => html`<code>${s.id}</code> +${s.points} `)}</p>` : ''}
  </section>
  <section><h3>Proposal</h3>${fields(d.request.proposal, d.contract ?? undefined, hot)}</section>
  ${editForm(d.request.proposal, d.contract ?? undefined)}
  <section><h3>Context</h3>${fields(d.request.context, undefined, new Set())}</section>
  <section><h3>Earlier reviews of ${r.entity === null ? 'this entity' : html`<code>${r.entity}</code>`}</h3>
    ${d.history.length ? html`<ul>${d.history.map((h) => html`<li>${h.createdAt}: ${h.status} by <code>${h.decidedBy ?? ''}</code>${h.reason ? html` (${h.reason.text})` : ''}</li>`)}</ul>` : html`<p class="empty">None.</p>`}
  </section>
  ${r.status === 'pending' ? '' : html`<p class="verdict">${r.status} by <code>${r.decidedBy ?? ''}</code> at ${r.decidedAt ?? ''}${r.reason ? html`: ${r.reason.text}` : ''}</p>`}
</article>`;
}

interface Leaf { fact: string; value: unknown; operator: string; expected: unknown }

/** The comparisons of the rules that fired: what they read, how they compared, with what. */
function firedLeaves(d: Decision): Leaf[] {
  const out: Leaf[] = [];
  const walk = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    const node = n as { kind?: string; result?: unknown; fact?: string; value?: unknown; operator?: string; expected?: unknown; items?: unknown[]; item?: unknown; where?: unknown };
    if (node.kind === 'leaf' && node.result !== false && typeof node.fact === 'string') out.push({ fact: node.fact, value: node.value, operator: String(node.operator), expected: node.expected });
    for (const k of node.items ?? []) walk(k);
    walk(node.item);
  };
  const fired = new Set(d.reasons.flatMap((r) => (r.rule ? [r.rule] : [])));
  for (const rule of (d.trace?.rules ?? []) as { rule: string; when?: unknown }[]) if (fired.has(rule.rule)) walk(rule.when);
  return out;
}

export function strip(s: Stats) {
  const rates = s.byRule.filter((r) => r.decided > 0);
  return html`<span data-role="pending-count">${s.pending}</span> pending
    · median time to decide <span>${s.medianSecondsToDecide === null ? '–' : duration(s.medianSecondsToDecide)}</span>
    · ${s.expired} expired
    ${rates.length ? html`· approval rate: ${rates.map((r) => html`<span class="rate"><code>${r.rule}</code> ${Math.round(r.approvalRate * 100)}% of ${r.decided}</span> `)}` : ''}`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
