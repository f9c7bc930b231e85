import type { DataSource } from 'typeorm';
import { RunTracker, triggeredByOf } from './run-tracking';

describe('RunTracker', () => {
  it('never throws when the registry is down: warns (naming the run) and reports false', async () => {
    const row = { runId: 'r-1', modelName: 'm', trackedRunId: null, status: 'COMPLETED', params: {}, createdAt: new Date(0) };
    const updates: unknown[] = [];
    const dataSource = { getRepository: () => ({ findOneByOrFail: async () => row, update: async (...a: unknown[]) => updates.push(a) }) } as unknown as DataSource;
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const tracker = new RunTracker(dataSource, 'http://127.0.0.1:1', { log: () => undefined, warn: (m, c) => warnings.push([m, c]) });
    await expect(tracker.sync('r-1')).resolves.toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![0]).toBe('experiment tracking sync failed; retried by the next activity of the run');
    expect(warnings[0]![1]).toMatchObject({ runId: 'r-1', error: expect.stringMatching(/^registry is unavailable \(POST http:\/\/127\.0\.0\.1:1\/experiments\)/) });
    expect(updates).toEqual([]); // nothing recorded as synced
  });

  it('who triggered a run: the recorded actor, else training:<reason>', () => {
    expect(triggeredByOf({ triggeredBy: 'key:alice', reason: 'manual' })).toBe('key:alice');
    expect(triggeredByOf({ triggeredBy: null, reason: 'drift' })).toBe('training:drift');
  });
});
