/**
 * P(class 1) of each row by onnxruntime-node directly, for a binary classifier exported by the
 * platform's trainer (one float32 input `input` of shape [rows, features], one output
 * `probability`): the reference a serving answer must equal to the bit. `rows` must be non-empty
 * and rectangular. onnxruntime-node loads only when this is called (specs that call it run in
 * libs/shared/testing/src/onnxruntime-environment.cjs).
 */
export async function onnxProbabilities(model: Uint8Array, rows: number[][]): Promise<number[]> {
  const { InferenceSession, Tensor } = await import('onnxruntime-node');
  const session = await InferenceSession.create(model);
  try {
    const out = await session.run({ input: new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]?.length ?? 0]) });
    const probability = out['probability'];
    if (!probability) throw new Error("the model has no output 'probability'");
    return Array.from(probability.data as Float32Array);
  } finally {
    await session.release();
  }
}
