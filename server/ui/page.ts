/**
 * The review page's shell: no data in it (the reviewer's key is not known until sign-in), one
 * stylesheet, one script, and the keyboard map, which docs/review.md repeats (a test keeps the two
 * equal).
 */
import { html } from 'hono/html';

export const KEYS: readonly (readonly [string, string])[] = [
  ['J / K', 'next / previous item'],
  ['Enter', 'open the item'],
  ['A', 'approve the item, or the selection (asks to confirm the count)'],
  ['R', 'reject: then 1–9 for a preset reason, or type one and press Enter'],
  ['E', 'edit the proposal (a form from its contract); Ctrl+Enter submits the edit, which is decided again'],
  ['T', 'extend the item\'s time by one hour'],
  ['X', 'select or unselect the item'],
  ['Shift+J / Shift+K', 'extend the selection down / up'],
  ['Esc', 'clear the selection, close a panel'],
  ['U', 'undo the last verdict while it is still held (before it is sent)'],
  ['/', 'filter by action:…, tier:…, rule:…, queue:…, age:1h, or words'],
  ['G G / Shift+G', 'first / last item'],
  ['?', 'show or hide this map'],
];

export function page(graceMs: number) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Arbiter · review</title>
<link rel="stylesheet" href="/review/assets/review.css">
<script src="/review/assets/review.js" defer></script>
</head>
<body data-grace-ms="${graceMs}">
<header class="top">
  <h1>Arbiter <span>review</span></h1>
  <nav class="tabs" aria-label="queue">
    <button type="button" data-tab="pending" aria-pressed="true">Pending</button>
    <button type="button" data-tab="closed" aria-pressed="false">History</button>
  </nav>
  <input type="search" data-role="filter" aria-label="filter" placeholder="/  action:… tier:… rule:… queue:… age:1h">
  <label class="toggle"><input type="checkbox" data-role="shortcuts" checked> single-key shortcuts</label>
  <button type="button" data-do="help">Keys <kbd>?</kbd></button>
  <button type="button" data-do="signout">Sign out</button>
</header>
<p class="strip" data-role="strip" aria-live="polite"></p>
<section class="signin" data-role="signin" hidden>
  <form data-role="signin-form">
    <h2>Sign in</h2>
    <p>Paste a key with a <code>review:&lt;queue&gt;</code> scope. It stays in this tab only (session storage) and is sent as a bearer token.</p>
    <input type="password" autocomplete="off" spellcheck="false" data-role="key" aria-label="review key" placeholder="arb_…">
    <button type="submit">Sign in</button>
    <p class="error" data-role="signin-error"></p>
  </form>
</section>
<main data-role="main" hidden>
  <div class="list" data-role="list"></div>
  <div class="pane" data-role="detail"><p class="empty">Press <kbd>Enter</kbd> to open the item.</p></div>
</main>
<div class="bar" data-role="bar" hidden></div>
<div class="confirm" data-role="confirm" hidden></div>
<div class="held" data-role="held"></div>
<div class="toast" data-role="toast" role="status" aria-live="polite"></div>
<div class="help" data-role="help" hidden>
  <h2>Keys</h2>
  <table>${KEYS.map(([k, what]) => html`<tr><th><kbd>${k}</kbd></th><td>${what}</td></tr>`)}</table>
  <p>Single-key shortcuts can be turned off at the top; the buttons show their keys.</p>
</div>
</body>
</html>`;
}
