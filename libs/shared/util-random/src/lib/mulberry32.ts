/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): a small seeded PRNG giving
 * uniform numbers in [0, 1), so the same seed gives the same sequence on every run (search
 * trials, a test's random data). `seed` is taken as an unsigned 32-bit integer.
 * Reference: `mulberry32(1)()` = 0.6270739405881613. Not for security.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
