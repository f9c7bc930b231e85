/**
 * Benchmark: logistic-regression fit time (Newton/IRLS) and ONNX export on seeded synthetic
 * taxi-like data, 10 features with 5% missing values.
 *
 *   node -r @swc-node/register bench/training/trainers.ts [--rows 30000,300000] [--repeat 3]
 */
import {
  exportLogisticRegressionToOnnx,
  predictProba,
  trainLogisticRegression,
} from '../../libs/training/util-trainers/src/index';
import { syntheticTaxi } from '../../libs/training/util-trainers/src/test-data';
import { arg } from '../util/cli';

const sizes = arg('rows', '30000,300000').split(',').map(Number);
const repeat = Number(arg('repeat', '3'));
console.log(`node ${process.version}, ${require('node:os').cpus().length} cores`);
for (const n of sizes) {
  const data = syntheticTaxi(n, 42);
  const times: number[] = [];
  let model = trainLogisticRegression(data); // warm-up
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    model = trainLogisticRegression(data);
    times.push(performance.now() - t0);
  }
  const t1 = performance.now();
  predictProba(model, data.rows);
  const predictMs = performance.now() - t1;
  const t2 = performance.now();
  const bytes = exportLogisticRegressionToOnnx(model);
  const exportMs = performance.now() - t2;
  times.sort((a, b) => a - b);
  console.log(
    `rows=${n} features=${data.features.length} fit median=${times[Math.floor(times.length / 2)]!.toFixed(1)}ms ` +
      `min=${times[0]!.toFixed(1)}ms iterations=${model.iterations} converged=${model.converged} ` +
      `trainLoss=${model.trainLoss.toFixed(4)} predictProba=${predictMs.toFixed(1)}ms ` +
      `onnxExport=${exportMs.toFixed(2)}ms (${bytes.length} bytes) rss=${(process.memoryUsage().rss / 2 ** 20).toFixed(0)}MiB`,
  );
}
