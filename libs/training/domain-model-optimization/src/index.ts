/**
 * @module @strata/training/domain-model-optimization
 *
 * The model optimization step (issue 15): derives an optimized child version of a registered ONNX
 * model with ONNX Runtime's own tools (dynamic INT8 quantization, offline graph optimization),
 * measures parent and child side by side on the parent's evaluation set (size, single-row latency,
 * accuracy, ROC AUC) and registers the child with lineage to its parent only when the quality drop
 * is within the margins.
 *
 * ```ts
 * ModelOptimizationModule.forRoot({ registryUrl, dataDir, python, script, toolTimeoutMs, defaultMaxAccuracyDrop, maxQueued })
 * await optimizeModelVersion(ports, { modelName: 'adult', version: 3, method: 'dynamic-int8', maxAccuracyDrop: 0.01 });
 * ```
 */
export { ModelOptimizationModule } from './lib/model-optimization.module';
export { ModelOptimizationsService } from './lib/model-optimizations.service';
export { ModelOptimizationsController } from './lib/model-optimizations.controller';
export { MODEL_OPTIMIZATION_OPTIONS } from './lib/model-optimization.constants';
export type { ModelOptimizationModuleOptions } from './lib/model-optimization.constants';
export { optimizeModelVersion } from './lib/optimize-model-version';
export type { OptimizationPorts, OptimizationProgress, OptimizationResult, OptimizeModelRequest } from './lib/optimize-model-version';
export { decideOptimization, DROP_EPSILON, percentile } from './lib/optimization-decision';
export type { OptimizationDecision, OptimizationMargins, QualityOnEvaluation } from './lib/optimization-decision';
export { OPTIMIZATION_METHODS, runOptimizerTool } from './lib/optimizer-tool';
export type { OptimizationMethod, OptimizerToolSpec, ToolProgress, ToolResult } from './lib/optimizer-tool';
export { measureSideBySide } from './lib/side-by-side';
export type { ModelMeasure, SideBySide, SideBySideOptions } from './lib/side-by-side';
