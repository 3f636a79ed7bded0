/**
 * Contract validation with ajv (JSON Schema 2020-12) in strict mode: every error collected, no
 * type coercion, no defaults written into the caller's object, formats checked by ajv-formats.
 * `decimal` is added as a format for money sent as strings (`"1017.50"`).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { escapeToken } from '../values/json.js';
import { isDecimalString, Rational } from '../values/rational.js';

export interface ContractError { code: string; pointer: string; message: string }

/** Validates a value; `prefix` roots the error pointers (`/proposal`, `/context`). */
export type Validator = (data: unknown, prefix: string) => ContractError[];

// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ?? formatsPlugin) as unknown as (ajv: Ajv2020) => void;

export function createAjv(options: { validateSchema?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    validateSchema: options.validateSchema ?? true,
    strict: true,
    allowUnionTypes: true,
    allErrors: true,
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
    validateFormats: true,
  });
  addFormats(ajv);
  exactMultipleOf(ajv);
  ajv.addFormat('decimal', { type: 'string', validate: isDecimalString });
  return ajv;
}

let meta: Ajv2020 | undefined;

/**
 * Checks a contract against the JSON Schema 2020-12 meta-schema. One validator serves the whole
 * process, so the meta-schema is compiled once rather than for every policy (re)load; it keeps
 * no contracts.
 */
export function metaSchemaErrors(schema: object): string | undefined {
  meta ??= createAjv();
  return meta.validateSchema(schema) ? undefined : meta.errorsText(meta.errors, { dataVar: 'schema' });
}

/** Compiles a contract; throws ajv's error when the schema is invalid. */
export function compileValidator(ajv: Ajv2020, schema: object): Validator {
  const validate: ValidateFunction = ajv.compile(schema);
  return (data, prefix) => (validate(data) ? NONE : (validate.errors ?? []).map((e) => toContractError(e, prefix)));
}

const NONE: ContractError[] = [];

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function toContractError(e: ErrorObject, prefix: string): ContractError {
  let pointer = prefix + e.instancePath;
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') pointer += `/${escapeToken(String(p.missingProperty))}`;
  if (e.keyword === 'additionalProperties') pointer += `/${escapeToken(String(p.additionalProperty))}`;
  return { code: `contract.${snake(e.keyword)}`, pointer: pointer || '/', message: `\`${pointer || '/'}\` ${errorText(e)}` };
}

/** What an ajv error says about the value, without saying where it is. */
export function errorText(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return 'is required';
    case 'additionalProperties': return 'is not allowed by the contract';
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}`;
    case 'format': return `must be a valid \`${String(p.format)}\``;
    default: return e.message ?? e.keyword;
  }
}

/**
 * `multipleOf`, decided exactly: ajv divides binary doubles, so 17.51 is not a multiple of 0.01
 * (17.51 / 0.01 is 1751.0000000000002), and no tolerance suits both small and large amounts.
 */
function exactMultipleOf(ajv: Ajv2020): void {
  ajv.removeKeyword('multipleOf');
  ajv.addKeyword({
    keyword: 'multipleOf',
    type: 'number',
    schemaType: 'number',
    errors: true,
    compile(step: number) {
      if (!(step > 0)) throw new Error(`\`multipleOf\` must be a positive number, not ${step}`);
      const m = Rational.fromNumber(step);
      const check = (x: number) => Number.isSafeInteger(x) && Number.isSafeInteger(step) ? x % step === 0 : Rational.fromNumber(x).div(m).isInteger();
      const error: Partial<ErrorObject> = { keyword: 'multipleOf', message: `must be a multiple of ${step}`, params: { multipleOf: step } };
      // ajv clears `errors` before each call and reads it after a failure.
      const validate = Object.assign((x: number): boolean => {
        if (check(x)) return true;
        validate.errors = [error];
        return false;
      }, { errors: [] as Partial<ErrorObject>[] });
      return validate;
    },
  });
}
