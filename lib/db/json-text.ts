/**
 * A JSON value stored as text (the schema keeps JSON in text columns, for both databases): the
 * parsed value, or `fallback` when the column is empty or does not hold JSON.
 */
export function parseJsonText<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
