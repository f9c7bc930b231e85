import { z } from 'zod';
import { defineEndpoint } from './define-endpoint';

/** Serving HTTP API (docs/service-apis.md, "serving"): Open Inference Protocol v2 + predict. */

/** An Open Inference Protocol v2 tensor. */
export const InferTensorSchema = z.looseObject({
  name: z.string(),
  datatype: z.string(),
  shape: z.array(z.number().int()),
  data: z.array(z.unknown()),
  parameters: z.record(z.string(), z.unknown()).optional(),
});
export type InferTensor = z.infer<typeof InferTensorSchema>;

export const InferRequestSchema = z.looseObject({
  id: z.string().optional(),
  inputs: z.array(InferTensorSchema),
  outputs: z.array(z.object({ name: z.string() })).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});
export type InferRequest = z.infer<typeof InferRequestSchema>;

export const InferResponseSchema = z.looseObject({
  id: z.string().optional(),
  model_name: z.string(),
  model_version: z.string().optional(),
  outputs: z.array(InferTensorSchema),
  parameters: z.record(z.string(), z.unknown()).optional(),
});
export type InferResponse = z.infer<typeof InferResponseSchema>;

const Model = z.object({ model: z.string() });

/** The serving endpoints called by the CLI and tests. */
export const ServingApi = {
  infer: defineEndpoint({ service: 'serving', method: 'POST', path: '/v2/models/{model}/infer', summary: 'OIP v2 inference on the champion', params: Model, body: InferRequestSchema, response: InferResponseSchema }),
  inferVersion: defineEndpoint({ service: 'serving', method: 'POST', path: '/v2/models/{model}/versions/{version}/infer', summary: 'OIP v2 inference on one version', params: z.object({ model: z.string(), version: z.string() }), body: InferRequestSchema, response: InferResponseSchema }),
  predict: defineEndpoint({ service: 'serving', method: 'POST', path: '/models/{model}/predict', summary: 'Predict from entity keys and request values', params: Model, body: z.record(z.string(), z.unknown()), response: z.record(z.string(), z.unknown()) }),
} as const;
