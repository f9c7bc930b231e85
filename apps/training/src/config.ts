import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';

/** Environment of the training service; see apps/training/.env.example. */
export const trainingEnvSchema = platformEnvSchema.extend({
  TRAINING_PORT: portVar(3003),
});

export type TrainingConfig = ReturnType<typeof loadTrainingConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadTrainingConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('training', trainingEnvSchema, env);
}
