/**
 * Solves A·x = b for a symmetric positive-definite A (row-major, k×k) by Cholesky
 * decomposition (A = L·Lᵀ, then forward and back substitution). Returns `null` when A is not
 * numerically positive definite. O(k³); k is the number of features + 1 here, so tiny.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, k: number): Float64Array | null {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * k + j] as number;
      for (let m = 0; m < j; m++) sum -= (l[i * k + m] as number) * (l[j * k + m] as number);
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return null;
        l[i * k + i] = Math.sqrt(sum);
      } else {
        l[i * k + j] = sum / (l[j * k + j] as number);
      }
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let sum = b[i] as number;
    for (let m = 0; m < i; m++) sum -= (l[i * k + m] as number) * (y[m] as number);
    y[i] = sum / (l[i * k + i] as number);
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let m = i + 1; m < k; m++) sum -= (l[m * k + i] as number) * (x[m] as number);
    x[i] = sum / (l[i * k + i] as number);
  }
  return x;
}
