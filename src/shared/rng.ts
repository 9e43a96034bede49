// The one seeded random generator (mulberry32): the same seed gives the same numbers in the browser, in Node,
// in tests and in generators, so random inputs, fixtures and the demo images are reproducible everywhere.

export type Rng = () => number;

/** Uniform in [0, 1), fully determined by the 32-bit `seed`. */
export function makeRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
