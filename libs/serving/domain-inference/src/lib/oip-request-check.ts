import { parseWith } from '@strata/shared/nest-platform';
import { InferRequestSchema, type InferRequest } from '@strata/contracts/api';

/**
 * Parses an OIP v2 `$inference_request` body: one hand-written pass that accepts exactly what the
 * zod schema {@link InferRequestSchema} accepts (written once, no per-element schema dispatch;
 * a `[1000, 10]` tensor is 10,000 elements), and the zod parse only for a body it does not accept,
 * so a rejected body gets the zod schema's 400 naming the field (`inputs.0.shape.1: ...`).
 * An accepted body is returned as is (unknown keys kept; nothing downstream reads them).
 * @throws InvalidArgumentError (400) `Invalid inference request: <issues>`
 */
export function parseInferenceRequest(body: unknown): InferRequest {
  if (isInferenceRequest(body)) return body;
  return parseWith(InferRequestSchema, body, 'inference request');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const isElement = (v: unknown): boolean => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string' || typeof v === 'boolean';

/** `$parameters`: absent, or an object of string / finite number / boolean values. */
function isParameters(v: unknown): boolean {
  if (v === undefined) return true;
  if (!isObject(v)) return false;
  for (const key in v) if (Object.prototype.hasOwnProperty.call(v, key) && !isElement(v[key])) return false;
  return true;
}

/** `$tensor_data`: an array (nested at most `depth` levels) of numbers, strings, booleans. */
function isTensorData(v: unknown, depth = 0): boolean {
  if (!Array.isArray(v) || depth > 64) return false;
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (!isElement(e) && !(Array.isArray(e) && isTensorData(e, depth + 1))) return false;
  }
  return true;
}

function isShape(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const d of v) if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return false;
  return true;
}

/** Whether `v` is a valid `$inference_request` by the rules of {@link InferRequestSchema}. */
export function isInferenceRequest(v: unknown): v is InferRequest {
  if (!isObject(v)) return false;
  if (v['id'] !== undefined && typeof v['id'] !== 'string') return false;
  if (!isParameters(v['parameters'])) return false;
  const inputs = v['inputs'];
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  for (const input of inputs) {
    if (!isObject(input) || !isNonEmptyString(input['name']) || !isNonEmptyString(input['datatype']) || !isShape(input['shape'])) return false;
    if (!isParameters(input['parameters']) || !isTensorData(input['data'])) return false;
  }
  const outputs = v['outputs'];
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) return false;
    for (const o of outputs) if (!isObject(o) || !isNonEmptyString(o['name']) || !isParameters(o['parameters'])) return false;
  }
  return true;
}
