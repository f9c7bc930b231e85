/**
 * Open Inference Protocol v2 types of serving. The inference request and response — what
 * `POST /v2/models/{m}[/versions/{v}]/infer` takes and answers — are declared once, in the API
 * contracts (`@strata/contracts/api`, serving.api.ts): serving validates a request with the
 * contract's `InferRequestSchema` and answers an `InferResponse`; the tensor datatypes are the
 * contract's too (re-exported). Only the model metadata answer (`GET /v2/models/{m}`) is declared here.
 */
import { OIP_DATATYPES, type OipDatatype, type TensorData } from '@strata/contracts/api';

export { OIP_DATATYPES, type OipDatatype, type TensorData };

/** Input/output metadata of a model (`GET /v2/models/{m}` → `inputs[]`, `outputs[]`); -1 = dynamic dim. */
export interface TensorMetadata {
  name: string;
  datatype: OipDatatype | 'UNSUPPORTED';
  shape: number[];
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
