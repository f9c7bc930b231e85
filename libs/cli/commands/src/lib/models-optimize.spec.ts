import { Command } from 'commander';
import type { ModelOptimization } from '@strata/contracts/api';
import { optimizationText, registerModelOptimizeCommand } from './models-optimize';
import type { CliContext } from './context';

const parent = { accuracy: 0.8215711565628647, rocAuc: 0.8423947114700028, sizeBytes: 141372, p50RowLatencyMs: 0.049442, p90RowLatencyMs: 0.12, p50BatchedRowLatencyMs: 0.0012110859375 };
const child = { accuracy: 0.8220011055831952, rocAuc: 0.8427989037534963, sizeBytes: 40568, p50RowLatencyMs: 0.049402, p90RowLatencyMs: 0.12, p50BatchedRowLatencyMs: 0.00102906640625 };
const base = { id: 'job-1', request: { modelName: 'adult-mlp', version: 1, method: 'dynamic-int8' as const, maxAccuracyDrop: 0.01 }, progress: 1, step: 'registered adult-mlp@2', createdAt: '2026-12-07T09:00:00Z', finishedAt: '2026-12-07T09:00:17Z' };

describe('strata models optimize', () => {
  it('prints parent vs child with the changes and the decision', () => {
    const job: ModelOptimization = {
      ...base,
      status: 'SUCCEEDED',
      error: null,
      result: {
        parent: { name: 'adult-mlp', version: 1, artifactSha256: 'a'.repeat(64) },
        child: { name: 'adult-mlp', version: 2, artifactUri: 'file:///x', artifactSha256: 'b'.repeat(64), created: true },
        method: 'dynamic-int8',
        decision: { accepted: true, accuracyDrop: -0.00043, rocAucDrop: -0.0004, reason: 'accepted: accuracy drop -0.000430 ≤ 0.01, ROC AUC drop -0.000404 ≤ 0.01' },
        margins: { maxAccuracyDrop: 0.01, maxRocAucDrop: 0.01 },
        measured: { parent, child, evalRows: 16281, latencyRows: 2000, session: { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' } },
        sizeRatio: 0.287,
        latencySpeedup: 1,
        evaluation: { trainingSet: 'ts-adult', splitTime: '2021-01-01T00:00:00.000Z' },
        timingsMs: { tool: 1, measure: 1, total: 2 },
      },
    };
    const text = optimizationText(job);
    expect(text).toContain('child         adult-mlp@2');
    expect(text).toContain('decision      accepted: accuracy drop -0.000430 ≤ 0.01, ROC AUC drop -0.000404 ≤ 0.01');
    expect(text).toMatch(/size \(bytes\)\s+141372\s+40568\s+-71\.3%/);
    expect(text).toMatch(/p50 latency per row, batches of 256 \(µs\)\s+1\.2111\s+1\.0291\s+-15\.0%/);
    expect(text).toMatch(/accuracy\s+0\.8216\s+0\.822\s+0\.000430/);
    expect(text).toContain('on 16281 evaluation rows of the parent; latency over 2000 rows');
  });

  it('prints the numbers of a refusal from the error details', () => {
    const job: ModelOptimization = {
      ...base,
      status: 'REFUSED',
      result: null,
      error: { code: 'CONFLICT', httpStatus: 409, message: "dynamic-int8 optimization of 'adult-mlp@1' refused: accuracy dropped by 0.126221", details: { parent, child: { ...child, accuracy: 0.6693 }, evalRows: 16281, latencyRows: 2000 } },
    };
    const text = optimizationText(job);
    expect(text).toContain('status        REFUSED');
    expect(text).toContain('child         -');
    expect(text).toContain('refused: accuracy dropped by 0.126221');
    expect(text).toMatch(/accuracy\s+0\.8216\s+0\.6693\s+-0\.152271/);
  });

  it('is a subcommand of models and checks its options before calling any service', async () => {
    const program = new Command().exitOverride();
    const models = program.command('models');
    const ctx = { api: () => { throw new Error('no service call expected'); }, output: () => ({ json: false, line: () => undefined, note: () => undefined, interactive: false }), cwd: '/', pollMs: 10 } as unknown as CliContext;
    registerModelOptimizeCommand(models, ctx);
    models.commands.forEach((c) => c.exitOverride().configureOutput({ writeErr: () => undefined }));
    await expect(program.parseAsync(['node', 'strata', 'models', 'optimize', 'm', '1', '--max-accuracy-drop', '2'])).rejects.toThrow('a fraction between 0 and 1');
    await expect(program.parseAsync(['node', 'strata', 'models', 'optimize', 'm', '1', '--method', 'int4'])).rejects.toThrow("--method 'int4': expected dynamic-int8 or graph");
  });
});
