/**
 * docs/architecture.md's service map is the code's: which service calls which over HTTP (the
 * `<SERVICE>_URL` settings of each app's config) and which service consumes which topic (its
 * `@ConsumeEvent` handlers). A new client, consumer or topic without the page regenerated
 * fails here. Reads sources only (no service, no broker).
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@strata/shared/testing';

interface ArchitectureMapModule {
  collectArchitecture(root?: string): {
    http: Array<{ caller: string; callee: string; variable: string }>;
    consumers: Array<{ service: string; topic: string; handler: string; broadcast: boolean }>;
  };
  renderArchitecture(map: ReturnType<ArchitectureMapModule['collectArchitecture']>): string;
  currentSection(doc: string): string | undefined;
}
// tools/docs/architecture-map.ts (loaded by path: tools are outside the lib graph)
const tool = require(path.join(REPO_ROOT, 'tools/docs/architecture-map')) as ArchitectureMapModule;

describe('docs/architecture.md service map', () => {
  const map = tool.collectArchitecture(REPO_ROOT);

  it('is the map the code gives (regenerate: node -r @swc-node/register tools/docs/architecture-map.ts --write)', () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/architecture.md'), 'utf8');
    expect(tool.currentSection(doc)).toBe(tool.renderArchitecture(map));
  });

  it('reads real edges: the serving → registry client and the broadcast alias consumer', () => {
    expect(map.http).toContainEqual({ caller: 'serving', callee: 'registry', variable: 'REGISTRY_URL' });
    expect(map.http.filter((h) => h.caller === 'registry' || h.caller === 'ingestion')).toEqual([]);
    expect(map.consumers).toContainEqual({ service: 'serving', topic: 'strata.registry.model-alias-changed.v1', handler: 'ModelAliasConsumer.onAliasChanged', broadcast: true });
    expect(map.consumers).toContainEqual({ service: 'features', topic: 'strata.ingestion.dataset-version-created.v1', handler: 'DatasetVersionsConsumer.onDatasetVersionCreated', broadcast: false });
  });
});
