import { ModelName } from '@strata/contracts';

/**
 * Whether changes of model `name` are announced on Kafka. The MLflow API accepts any non-empty
 * name (MLflow's rule); the event contracts (and so Kafka keys and every consumer: serving,
 * monitoring) carry names of `ModelName` (letters, digits, `.`, `_`, `-`, 1-128 chars). A model
 * whose MLflow name is outside that rule is kept and served by the registry but its changes are not
 * published (consumers could not address it); rename it to a contract name to announce it.
 */
export function isAnnounceable(name: string): boolean {
  return ModelName.safeParse(name).success;
}
