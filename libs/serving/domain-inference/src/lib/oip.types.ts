import { z } from 'zod';

/**
 * Tensor datatypes of the Open Inference Protocol v2 (KServe/Triton "Tensor Data Types").
 * `BYTES` elements travel as JSON strings.
 */
export const OIP_DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES',
] as const;
/** One OIP v2 tensor datatype. */
export type OipDatatype = (typeof OIP_DATATYPES)[number];

/** Input/output metadata of a model (`GET /v2/models/{m}` → `inputs[]`, `outputs[]`); -1 = dynamic dim. */
export interface TensorMetadata {
  name: string;
  datatype: OipDatatype | 'UNSUPPORTED';
  shape: number[];
}

/** JSON parameters object (OIP `$parameters`): string/number/boolean values. */
export const OipParameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** A nested or flat array of tensor elements (`$tensor_data`). */
export type TensorData = Array<number | string | boolean | TensorData>;
const TensorDataSchema: z.ZodType<TensorData> = z.lazy(() => z.array(z.union([z.number(), z.string(), z.boolean(), TensorDataSchema])));

/** `$request_input`. */
export const OipRequestInput = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().min(0)),
  datatype: z.string().min(1),
  parameters: OipParameters.optional(),
  data: TensorDataSchema,
});

/** `$request_output`. */
export const OipRequestOutput = z.object({
  name: z.string().min(1),
  parameters: OipParameters.optional(),
});

/** `$inference_request` (POST /v2/models/{m}[/versions/{v}]/infer body). */
export const OipInferenceRequest = z.object({
  id: z.string().optional(),
  parameters: OipParameters.optional(),
  inputs: z.array(OipRequestInput).min(1),
  outputs: z.array(OipRequestOutput).optional(),
});
/** Parsed inference request. */
export type OipInferenceRequest = z.infer<typeof OipInferenceRequest>;

/** `$response_output`: `data` is flattened in row-major order. */
export interface OipResponseOutput {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Record<string, string | number | boolean>;
  data: Array<number | string | boolean>;
}

/** `$inference_response`. */
export interface OipInferenceResponse {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, string | number | boolean>;
  outputs: OipResponseOutput[];
}

/** `$metadata_model_response`. */
export interface OipModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  /** OIP `properties` (string values): the columns of each input (`oip-model-properties.ts`), when known. */
  properties?: Record<string, string>;
}
