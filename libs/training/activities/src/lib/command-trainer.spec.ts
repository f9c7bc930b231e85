import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { readTrainerMetrics, runCommandTrainer } from './command-trainer';

jest.setTimeout(30_000);

const node = process.execPath;

function collector() {
  const chunks: Array<{ stream: string; text: string }> = [];
  return { chunks, log: async (stream: string, text: string) => void chunks.push({ stream, text }), text: (s: string) => chunks.filter((c) => c.stream === s).map((c) => c.text).join('') };
}

describe('runCommandTrainer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cmd-trainer-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('runs argv + work dir without a shell, captures stdout/stderr, sets STRATA_WORK_DIR, measures CPU', async () => {
    const c = collector();
    const script = `const fs=require('fs');let x=0;for(let i=0;i<3e7;i++)x+=i;console.log('work', process.argv[process.argv.length-1]===process.env.STRATA_WORK_DIR);console.error('warn line');fs.writeFileSync(process.env.STRATA_WORK_DIR+'/model.onnx','x')`;
    const res = await runCommandTrainer({ spec: { command: [node, '-e', script] }, workDir: dir, log: c.log, onHeartbeat: () => undefined, cancelled: new Promise<never>(() => undefined) });
    expect(c.text('stdout')).toBe('work true\n');
    expect(c.text('stderr')).toBe('warn line\n');
    expect(c.text('system')).toMatch(new RegExp(`^\\$ ${node.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} -e .* ${dir}\\nexit code 0 after \\d+ ms, cpu \\d+\\.\\d\\d s\\n$`));
    expect(res.cpuSeconds).toBeGreaterThan(0.01);
    expect(res.gpuUtilizationPct).toBeNull();
    expect(await fs.readFile(path.join(dir, 'model.onnx'), 'utf8')).toBe('x');
  });

  it('non-zero exit → non-retryable TRAINER_FAILED with the stderr tail', async () => {
    const c = collector();
    const script = `process.stderr.write('a'.repeat(5000)+'\\nboom: bad input\\n');process.exit(7)`;
    const err = await runCommandTrainer({ spec: { command: [node, '-e', script] }, workDir: dir, log: c.log, onHeartbeat: () => undefined, cancelled: new Promise<never>(() => undefined), stderrTailBytes: 40 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('TRAINER_FAILED');
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toBe(`External trainer 'node' exited with code 7; stderr tail: ${'a'.repeat(23)}\nboom: bad input`);
    expect(c.text('stderr')).toHaveLength(5000 + 17);
  });

  it('a missing program → TRAINER_FAILED naming it', async () => {
    const c = collector();
    await expect(runCommandTrainer({ spec: { command: ['/nonexistent/trainer'] }, workDir: dir, log: c.log, onHeartbeat: () => undefined, cancelled: new Promise<never>(() => undefined) })).rejects.toThrow("External trainer program '/nonexistent/trainer' not found");
  });

  it('heartbeats while running; cancellation kills the whole process group (grandchildren too)', async () => {
    const c = collector();
    let cancel!: (e: Error) => void;
    const cancelled = new Promise<never>((_, reject) => (cancel = reject));
    const beats: number[] = [];
    // The trainer starts a grandchild that would outlive it if only the direct child were killed.
    const script = `const {spawn}=require('child_process');const g=spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'ignore'});console.log('grandchild',g.pid);setInterval(()=>{},1000)`;
    const run = runCommandTrainer({ spec: { command: [node, '-e', script] }, workDir: dir, log: c.log, heartbeatMs: 50, onHeartbeat: ({ elapsedMs }) => beats.push(elapsedMs), cancelled, killGraceMs: 2000 });
    const grandchild = await new Promise<number>((resolve, reject) => {
      const deadline = Date.now() + 15_000;
      const t = setInterval(() => {
        const m = /grandchild (\d+)/.exec(c.text('stdout'));
        if (m && beats.length >= 3) {
          clearInterval(t);
          resolve(Number(m[1]));
        } else if (Date.now() > deadline) {
          clearInterval(t);
          cancel(new Error('test gave up waiting')); // never leave the process group behind
          reject(new Error(`no 'grandchild <pid>' line / 3 heartbeats within 15 s: stdout ${JSON.stringify(c.text('stdout'))}, ${beats.length} beats`));
        }
      }, 20);
    });
    cancel(new Error('cancelled by test'));
    await expect(run).rejects.toThrow('cancelled by test');
    expect(c.text('system')).toMatch(/cancelled: killing process group \d+\n/);
    const deadline = Date.now() + 5000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      try {
        process.kill(grandchild, 0);
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
    expect(beats.length).toBeGreaterThanOrEqual(3);
  });
});

describe('readTrainerMetrics', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cmd-metrics-'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));
  const write = async (name: string, text: string) => {
    await fs.writeFile(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('reads an object of finite numbers', async () => {
    expect(await readTrainerMetrics(await write('ok.json', '{"auc": 0.7, "rows": 10}'))).toEqual({ auc: 0.7, rows: 10 });
  });

  it('rejects missing files, non-objects, non-finite values and bad keys', async () => {
    await expect(readTrainerMetrics(path.join(dir, 'none.json'))).rejects.toThrow(`External trainer wrote no metrics.json in ${dir}`);
    await expect(readTrainerMetrics(await write('arr.json', '[1]'))).rejects.toThrow('metrics.json must be a JSON object of numbers');
    await expect(readTrainerMetrics(await write('str.json', '{"auc": "0.7"}'))).rejects.toThrow(`metrics.json 'auc' must be a finite number, got "0.7"`);
    await expect(readTrainerMetrics(await write('null.json', '{"auc": null}'))).rejects.toThrow(`metrics.json 'auc' must be a finite number, got null`);
    await expect(readTrainerMetrics(await write('key.json', '{"a b": 1}'))).rejects.toThrow(`metrics.json key 'a b' must be 1-128 chars of A-Za-z0-9_.-`);
    await expect(readTrainerMetrics(await write('bad.json', '{'))).rejects.toThrow(/^metrics.json is not JSON/);
  });
});
