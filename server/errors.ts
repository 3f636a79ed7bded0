/** The HTTP error catalogue: stable codes, their statuses, and the `{ error: { code, message, details? } }` body. */
export const HTTP_ERRORS = {
  malformed_request: { status: 400, about: 'the bytes are not a valid HTTP/1.1 request (framing, header syntax, pipelined garbage); an answer already under way on the connection is sent first' },
  malformed_json: { status: 400, about: 'the body is not valid UTF-8 or not valid JSON, or has a duplicate member' },
  string_too_long: { status: 400, about: 'a string in the body is longer than `--max-string`' },
  nesting_too_deep: { status: 400, about: 'the body is nested deeper than `--max-depth`' },
  number_out_of_range: { status: 400, about: 'a number in the body is beyond the range of a double (`1e309`); it has no exact value to decide on or record' },
  invalid_request: { status: 400, about: 'the JSON or query does not have the shape the endpoint takes; `details` lists what is wrong' },
  invalid_idempotency_key: { status: 400, about: 'the idempotency key (header or proposal) is not 1 to 200 printable characters' },
  invalid_reason: { status: 400, about: 'a reject without a reason, a reason code that is not a preset of the action, or a reason over 1,000 characters' },
  unauthorized: { status: 401, about: 'no API key, or one that is not valid' },
  forbidden: { status: 403, about: 'the API key lacks the scope the endpoint needs' },
  self_review: { status: 403, about: 'the reviewer\'s key submitted the proposal; another reviewer must decide it (the action\'s `self_review` is `forbid`)' },
  not_found: { status: 404, about: 'no such decision, review, delivery, granted exception or route' },
  unknown_action: { status: 404, about: 'the policy defines no such action' },
  unknown_contract_version: { status: 404, about: 'the action serves no contract of the version the request or its proposal names; `details.versions` lists those it serves' },
  idempotency_conflict: { status: 409, about: 'the idempotency key was used with a different payload, or by another API key; `details.decisionId` names the original decision only for its own caller or a `read` key' },
  proposal_changed: { status: 409, about: 'the verdict names a proposal hash other than the stored one: the reviewer did not see this proposal; `details.proposalHash` is the stored hash' },
  already_decided: { status: 409, about: 'the review is closed; `details` names who decided it, how and when' },
  review_expired: { status: 409, about: 'the review expired before the verdict; it is rejected' },
  request_timeout: { status: 408, about: 'the request did not arrive within the server\'s time limit' },
  delivery_not_dead: { status: 409, about: 'only a dead-lettered delivery can be replayed or purged; `details.status` is its status' },
  exception_exists: { status: 409, about: 'an exception of that id is already granted through the gate; `details.record` names its grant; revoke it first' },
  payload_too_large: { status: 413, about: 'the body is larger than the limit' },
  unsupported_media_type: { status: 415, about: 'the body is not `application/json`' },
  not_approvable: { status: 422, about: 'the review holds a proposal that does not match its contract (`model.invalid_proposal`): edit it into a valid one, or reject it' },
  batch_refused: { status: 422, about: 'a batch approval of items of more than one action, or of an item that must be approved on its own (financial, or risk above `medium`)' },
  invalid_exception: { status: 422, about: 'the exception does not compile with the served policy, as it would not in YAML; `details.diagnostics` lists each problem with its stable code (`unknown_rule`, `unknown_action`, `unknown_fact`, `invalid_literal`, …) and a suggestion; nothing was recorded' },
  exception_expired: { status: 422, about: 'the exception expires at or before now, so it would never apply; nothing was recorded' },
  headers_too_large: { status: 431, about: 'the request line and headers are larger than the server accepts (16 KiB)' },
  rate_limited: { status: 429, about: 'the API key is over its rate; `Retry-After` says when to retry' },
  internal_error: { status: 500, about: 'something failed inside the gate; nothing was decided' },
  store_unavailable: { status: 503, about: 'the store cannot be reached or cannot write, so nothing is acknowledged; retry after `Retry-After` with the same idempotency key, which replays the decision if a commit went through after all' },
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

export class HttpError extends Error {
  constructor(readonly code: HttpErrorCode, message: string, readonly details?: unknown, readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
  }

  get status(): number {
    return HTTP_ERRORS[this.code].status;
  }

  body(): { error: { code: string; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details !== undefined ? { details: this.details } : {}) } };
  }
}
