/**
 * Feast's Python feature server (`feast serve`, Feast 0.67 from PyPI via
 * tools/python/bench-feast.requirements.txt) on the same Redis and the same rows as the online
 * benchmark (bench/python/feast_online.py writes them). One gunicorn/uvicorn worker (Strata's
 * features service is one Node process), access log off and no periodic worker restart
 * (`--max-requests 0`): Feast's best case.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../util/load';

const SCRIPT = path.join(__dirname, '../python/feast_online.py');

export interface FeastServer { url: string; child: ChildProcess; stop: () => Promise<void> }

/** The first child of `pid` (gunicorn's worker under its arbiter), from /proc; `pid` itself when none. */
export function workerPid(pid: number): number {
  try {
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids[0] ?? pid;
  } catch {
    return pid;
  }
}

/** Starts `feast serve` on 127.0.0.1:`port` with `entities` rows; `redisUrl` like redis://host:port. */
export async function startFeastServer(port: number, redisUrl: string, entities: number): Promise<FeastServer> {
  const root = path.resolve(__dirname, '../..');
  const py = execFileSync('bash', [path.join(root, 'tools/python/ensure-venv.sh'), 'bench-feast'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop() as string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-feast-online-'));
  const u = new URL(redisUrl);
  execFileSync(py, [SCRIPT, 'setup', dir, `${u.hostname}:${u.port || '6379'}`, String(entities)], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  const child = spawn(path.join(path.dirname(py), 'feast'), ['serve', '-h', '127.0.0.1', '-p', String(port), '--workers', '1', '--no-access-log', '--max-requests', '0', '--registry_ttl_sec', '3600'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-3000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, 120_000, 'feast serve ready', child);
  } catch (e) {
    child.kill('SIGTERM');
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1000));
      try { execFileSync(py, [SCRIPT, 'teardown', dir], { cwd: dir, stdio: 'ignore', timeout: 120_000 }); } catch { /* best effort */ }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
