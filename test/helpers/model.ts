/** A refund_order@2 proposal a model might give for the example email. */
export const VALID = { proposal_id: '6f1c2d3e-8a9b-4c5d-9e0f-1a2b3c4d5e6f', order_id: 'o-8812', amount: 120, currency: 'EUR', reason: 'damaged', refund_method: 'original_payment' };
