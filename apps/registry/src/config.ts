import { z } from 'zod';
import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';
import { REGISTRY_SCHEMA } from '@strata/registry/data-access';
import { objectStoreEnvShape } from '@strata/shared/data-access-object-store';

/** Environment of the registry service; see apps/registry/.env.example. */
export const registryEnvSchema = platformEnvSchema.extend({
  /** S3 connection (STRATA_S3_BUCKET, STRATA_S3_PREFIX, S3_ENDPOINT, AWS_*, deadlines), used when REGISTRY_ARTIFACT_STORE=s3. */
  ...objectStoreEnvShape,
  /**
   * Backend of the registry's artifact store (MLflow artifact proxy, run artifacts, model files):
   * `local` (default: files under STRATA_DATA_DIR) or `s3` (the bucket STRATA_S3_BUCKET). Separate
   * from STRATA_OBJECT_STORE (the lake) so switching the lake never moves the registry's files.
   */
  REGISTRY_ARTIFACT_STORE: z.enum(['local', 's3']).default('local'),
  /**
   * MLflow's `--default-artifact-root`: a URI (`file:///…`, `s3://…`) under which new experiments get
   * `<root>/<experiment_id>` and clients write directly. Unset (default): `mlflow-artifacts:/<id>`, through
   * the registry's artifact proxy.
   */
  REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT: z.string().regex(/^[a-z][a-z0-9+.-]*:\/\/?\S+$/i, 'must be a URI such as file:///var/lib/strata/mlflow or s3://bucket/mlflow').optional(),
  REGISTRY_PORT: portVar(3004),
  /** PostgreSQL schema of the registry (default `registry`; tests use a unique one). */
  REGISTRY_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase PostgreSQL identifier')
    .default(REGISTRY_SCHEMA),
}).superRefine((c, ctx) => {
  if (c.REGISTRY_ARTIFACT_STORE === 's3' && !c.STRATA_S3_BUCKET) ctx.addIssue({ code: 'custom', path: ['STRATA_S3_BUCKET'], message: 'required when REGISTRY_ARTIFACT_STORE=s3' });
});

export type RegistryConfig = ReturnType<typeof loadRegistryConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadRegistryConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('registry', registryEnvSchema, env);
}
