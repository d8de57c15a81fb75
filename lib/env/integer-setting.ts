/**
 * A whole-number setting from the environment: `value` when it is an integer within `min`..`max`,
 * else `fallback` (unset, blank, malformed or out of range alike: a setting never stops the app).
 */
export function integerSetting(value: string | undefined, fallback: number, { min = 1, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}
