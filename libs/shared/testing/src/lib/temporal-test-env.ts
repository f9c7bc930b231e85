import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { infraEnv } from './infra-env';

/** What {@link useTemporalTestEnv} gives the tests of a workflow spec (valid once its beforeAll ran). */
export interface TemporalTestEnv {
  /** The environment on the test stack's Temporal server (`client`, `nativeConnection`). */
  readonly env: TestWorkflowEnvironment;
  /** The bundled workflow code, for `Worker.create({ workflowBundle })`. */
  readonly workflowBundle: WorkflowBundleWithSourceMap;
  /** The Temporal namespace of the test stack (`infraEnv().temporalNamespace`). */
  readonly namespace: string;
}

/**
 * Registers the jest hooks of a workflow spec on the real Temporal server: beforeAll connects a
 * TestWorkflowEnvironment to `infraEnv()`'s Temporal (address and namespace) and bundles the
 * workflows at `workflowsPath` (the worker's workflowsPath file); afterAll tears the environment
 * down. `@temporalio/testing` and `@temporalio/worker` load only when the hook runs, so importing
 * this module costs nothing in specs that do not call it.
 *
 * @returns accessors to read inside tests (they throw before beforeAll has run).
 */
export function useTemporalTestEnv(workflowsPath: string): TemporalTestEnv {
  const namespace = infraEnv().temporalNamespace;
  let env: TestWorkflowEnvironment | undefined;
  let workflowBundle: WorkflowBundleWithSourceMap | undefined;
  beforeAll(async () => {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const { bundleWorkflowCode } = await import('@temporalio/worker');
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: infraEnv().temporalAddress, namespace });
    workflowBundle = await bundleWorkflowCode({ workflowsPath });
  });
  afterAll(async () => {
    await env?.teardown();
  });
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not set up yet (useTemporalTestEnv's beforeAll has not run)`);
    return v;
  };
  return {
    get env() {
      return ready(env, 'the Temporal test environment');
    },
    get workflowBundle() {
      return ready(workflowBundle, 'the workflow bundle');
    },
    namespace,
  };
}
