// Axis ends for the benchmark charts: round numbers, so the top tick reads as a number a person would pick.

/** Rounds up to two significant digits: 56.9 -> 57, 0.4213 -> 0.43, 3432 -> 3500 (1 for zero or less). */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const step = 10 ** (Math.floor(Math.log10(value)) - 1);
  // The epsilon keeps a value already on a step (0.43 / 0.01 = 42.99…) from rounding up a step.
  return Number((Math.ceil(value / step - 1e-9) * step).toPrecision(12));
}
