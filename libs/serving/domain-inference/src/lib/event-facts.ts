import type { ModelVersionFacts } from '@strata/contracts';
import type { ModelVersionDescriptor } from './model-repository';
import type { RegistryClient } from './registry.client';

/** Where the descriptor of a version came from: the event's facts, or the registry (fallback). */
export type FactsSource = 'event' | 'registry';

/**
 * The descriptor of `name@version` (artifact URI + sha256, what a load needs) from the facts an
 * event carries (`toVersionFacts`, `routeVersionFacts`), or undefined when it carries none for
 * that version (an event published before the facts existed, or whose facts did not fit).
 */
export function descriptorFromFacts(name: string, version: number, facts: readonly ModelVersionFacts[] | undefined): ModelVersionDescriptor | undefined {
  const f = facts?.find((x) => x.version === version);
  return f ? { name, version, artifactUri: f.artifactUri, artifactSha256: f.artifactSha256 } : undefined;
}

/**
 * The descriptor of `name@version`: from the event's facts when it carries them, else from the
 * registry (`GET /registered-models/{name}/versions/{version}`: the fallback for older events).
 * @throws NotFoundError / UnavailableError from the registry (fallback only)
 */
export async function resolveDescriptor(
  registry: Pick<RegistryClient, 'getVersion'>,
  name: string,
  version: number,
  facts: readonly ModelVersionFacts[] | undefined,
): Promise<{ descriptor: ModelVersionDescriptor; source: FactsSource }> {
  const fromEvent = descriptorFromFacts(name, version, facts);
  if (fromEvent) return { descriptor: fromEvent, source: 'event' };
  return { descriptor: await registry.getVersion(name, version), source: 'registry' };
}
