/**
 * Records the history of the most recently closed batchScoringWorkflow run with a given status
 * as a replay fixture of libs/serving/workflows (binary `temporal.api.history.v1.History`, as
 * tools/training/record-history.ts and for the same reason).
 *
 * Usage: node -r @swc-node/register tools/serving/record-history.ts <Completed|Canceled|Failed> <name>
 *   → libs/serving/workflows/src/__fixtures__/histories/<name>.history.bin
 * Needs TEMPORAL_ADDRESS (default 127.0.0.1:7233) and TEMPORAL_NAMESPACE (default `default`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

async function main(): Promise<void> {
  const [status, name] = process.argv.slice(2);
  if (!status || !['Completed', 'Canceled', 'Failed'].includes(status) || !name || !/^[a-z0-9.-]+$/.test(name)) {
    throw new Error('usage: record-history.ts <Completed|Canceled|Failed> <name: [a-z0-9.-]+>');
  }
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS'] ?? '127.0.0.1:7233' });
  try {
    const client = new Client({ connection, namespace: process.env['TEMPORAL_NAMESPACE'] ?? 'default' });
    let found: { workflowId: string; runId: string } | undefined;
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'batchScoringWorkflow' AND ExecutionStatus = '${status}'` })) {
      found = { workflowId: wf.workflowId, runId: wf.runId }; // newest first
      break;
    }
    if (!found) throw new Error(`no ${status} batchScoringWorkflow run found`);
    const history = await client.workflow.getHandle(found.workflowId, found.runId).fetchHistory();
    const out = path.resolve(__dirname, `../../libs/serving/workflows/src/__fixtures__/histories/${name}.history.bin`);
    fs.writeFileSync(out, temporal.api.history.v1.History.encode(history).finish());
    console.log(`recorded ${history.events?.length ?? 0} events of ${found.workflowId} to ${path.relative(process.cwd(), out)}`);
  } finally {
    await connection.close();
  }
}

main().catch((e: unknown) => {
  console.error(`record-history: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
