/** Type guard for the string-literal unions built from `as const` objects. */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

export function valuesOf<T extends Record<string, string>>(object: T): readonly T[keyof T][] {
  return Object.values(object) as T[keyof T][];
}
