/** Proposals that go to review (kept with the review benchmark, which sends the same ones). */
export { refund, ticket, upgrade } from '../../bench/review/proposals.js';
