/**
 * MLServer 1.7.1 + mlserver-sklearn (PyPI, tools/python/bench-serving.requirements.txt) serving a
 * scikit-learn Pipeline(SimpleImputer, StandardScaler, LogisticRegression) with exactly the
 * coefficients of a model from the platform's trainer (same impute values, scaling, weights), so
 * it answers the same probabilities as Strata's ONNX export. One process (`parallel_workers: 0`),
 * like Strata's one Node process.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../util/load';

export interface LrParams { imputeValues: number[]; means: number[]; scales: number[]; coefficients: number[]; intercept: number }

/** Starts MLServer on `ports.http` (grpc, metrics on the next two) serving model `name` from `lr`; files under `dir`. */
export async function startMlserver(dir: string, name: string, lr: LrParams, httpPort: number): Promise<{ url: string; child: ChildProcess }> {
  const root = path.resolve(__dirname, '../..');
  const py = execFileSync('bash', [path.join(root, 'tools/python/ensure-venv.sh'), 'bench-serving'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop() as string;
  const modelDir = path.join(dir, 'mlserver', name);
  fs.mkdirSync(modelDir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'lr.json'), JSON.stringify({ impute: lr.imputeValues, means: lr.means, scales: lr.scales, coef: lr.coefficients, intercept: lr.intercept }));
  execFileSync(py, ['-c', [
    'import json,joblib,numpy as np',
    'from sklearn.pipeline import Pipeline',
    'from sklearn.impute import SimpleImputer',
    'from sklearn.preprocessing import StandardScaler',
    'from sklearn.linear_model import LogisticRegression',
    `p=json.load(open(${JSON.stringify(path.join(dir, 'lr.json'))}))`,
    'imp=SimpleImputer(strategy="mean").fit(np.array([p["impute"]]))',
    'sc=StandardScaler(); sc.mean_=np.array(p["means"]); sc.scale_=np.array(p["scales"]); sc.var_=sc.scale_**2; sc.n_features_in_=len(p["means"]); sc.n_samples_seen_=1',
    'lr=LogisticRegression(); lr.coef_=np.array([p["coef"]]); lr.intercept_=np.array([p["intercept"]]); lr.classes_=np.array([0,1]); lr.n_features_in_=len(p["coef"])',
    `joblib.dump(Pipeline([("impute",imp),("scale",sc),("lr",lr)]), ${JSON.stringify(path.join(modelDir, 'model.joblib'))})`,
  ].join('\n')], { stdio: 'inherit', timeout: 120_000 });
  fs.writeFileSync(path.join(modelDir, 'model-settings.json'), JSON.stringify({ name, implementation: 'mlserver_sklearn.SKLearnModel', parameters: { uri: './model.joblib', version: 'v1' } }));
  fs.writeFileSync(path.join(dir, 'mlserver', 'settings.json'), JSON.stringify({ http_port: httpPort, grpc_port: httpPort + 1, metrics_port: httpPort + 2, parallel_workers: 0, debug: false }));
  const child = spawn(path.join(path.dirname(py), 'mlserver'), ['start', path.join(dir, 'mlserver')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${httpPort}/v2/models/${name}/infer`;
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/v2/models/${name}/ready`).catch(() => undefined))?.ok, 180_000, 'mlserver ready', child);
  } catch (e) {
    child.kill('SIGTERM');
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  return { url, child };
}
