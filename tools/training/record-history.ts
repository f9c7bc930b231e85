/**
 * Records the history of a finished workflow run as a replay fixture (binary protobuf
 * `temporal.api.history.v1.History`; binary because this repo's protobufjs copies make the
 * SDK's `historyFromJSON` unusable, see libs/training/workflows README).
 *
 * Usage: node -r @swc-node/register tools/training/record-history.ts <workflowId> <name>
 *        node -r @swc-node/register tools/training/record-history.ts --latest <WorkflowType> <name>
 *          (the most recently closed COMPLETED run of that workflow type, via a visibility query)
 *   → libs/training/workflows/src/__fixtures__/histories/<name>.history.bin
 * Needs TEMPORAL_ADDRESS (default 127.0.0.1:7233) and the run in namespace TEMPORAL_NAMESPACE.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const latest = argv[0] === '--latest';
  const [target, name] = latest ? argv.slice(1) : argv;
  if (!target || !name || !/^[a-z0-9.-]+$/.test(name) || (latest && !/^[A-Za-z0-9_]+$/.test(target))) {
    throw new Error('usage: record-history.ts <workflowId> <name: [a-z0-9.-]+> | --latest <WorkflowType> <name>');
  }
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS'] ?? '127.0.0.1:7233' });
  try {
    const client = new Client({ connection, namespace: process.env['TEMPORAL_NAMESPACE'] ?? 'default' });
    let workflowId = target;
    let runId: string | undefined;
    if (latest) {
      for await (const wf of client.workflow.list({ query: `WorkflowType = '${target}' AND ExecutionStatus = 'Completed'` })) {
        ({ workflowId, runId } = wf); // newest first
        break;
      }
      if (!runId) throw new Error(`no completed ${target} run found`);
    }
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const out = path.resolve(__dirname, `../../libs/training/workflows/src/__fixtures__/histories/${name}.history.bin`);
    fs.writeFileSync(out, temporal.api.history.v1.History.encode(history).finish());
    console.log(`recorded ${history.events?.length ?? 0} events of ${workflowId} to ${path.relative(process.cwd(), out)}`);
  } finally {
    await connection.close();
  }
}

main().catch((e: unknown) => {
  console.error(`record-history: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
