// What analysis/, server/, gate/, adapters/ and cli/ use of the engine beyond its public surface
// (engine/index.ts). One declared entry, so the engine's inner layout can change behind it.

export type { Outcome } from './ast/types.js';
export { conditionCompiler } from './compile/extra.js';
export type { Cond, Rule, Val } from './compile/ir.js';
export type { CompiledAction, CompiledPolicy, ContractUse } from './compile/policy.js';
export { fromPortable, toPortable } from './compile/transfer.js';
export type { PortablePolicy } from './compile/transfer.js';
export { contractPath } from './contracts/load.js';
export type { PathStep } from './contracts/shape.js';
export { describe, isOrdered } from './contracts/types.js';
export type { Slot } from './contracts/types.js';
export { compileValidator, createAjv, metaSchemaErrors } from './contracts/validate.js';
export type { ContractError } from './contracts/validate.js';
export { servedContract } from './decide/contract.js';
export { conditionStatus, requestEnv } from './decide/decide.js';
export { BASE_TIER } from './decide/risk.js';
export { SEVERITY } from './decide/types.js';
export { Diagnostics, didYouMean, formatDiagnostic } from './errors.js';
export type { SourceLoc } from './errors.js';
export { evalValue } from './eval/interpret.js';
export type { Env } from './eval/interpret.js';
export { F, T, own } from './eval/runtime.js';
export type { Status } from './eval/runtime.js';
export { YamlFile, at, locOf, plain, readEnum, readMap, readSeq, readString, readStrings } from './source/yaml.js';
export type { At, Span } from './source/yaml.js';
export { compactTrace, expandTrace } from './trace/compact.js';
export type { CompactTrace } from './trace/compact.js';
export type { Trace, TraceNode } from './trace/types.js';
export { sha256 } from './values/canonical.js';
export { escapeToken, isObject, pointerSteps, resolveRef } from './values/json.js';
export { Rational } from './values/rational.js';
export { parseDuration, parseInstant } from './values/time.js';
