/**
 * A validator for the subset of JSON Schema (draft-07) that docs/gradescope-results.schema.json
 * uses: type, required, properties, additionalProperties: false, items, minItems, enum,
 * minimum, minLength. Returns the problems found (empty: valid).
 */
export interface Schema {
  type?: "object" | "array" | "string" | "number" | "integer" | "boolean";
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  items?: Schema;
  minItems?: number;
  enum?: unknown[];
  minimum?: number;
  minLength?: number;
}

const SUPPORTED = new Set([
  "$schema",
  "title",
  "type",
  "required",
  "properties",
  "additionalProperties",
  "items",
  "minItems",
  "enum",
  "minimum",
  "minLength",
]);

export function validate(value: unknown, schema: Schema, path = "$"): string[] {
  for (const k of Object.keys(schema))
    if (!SUPPORTED.has(k)) throw new Error(`${path}: schema keyword '${k}' not supported by this validator`);
  const problems: string[] = [];
  const kind = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  if (schema.type) {
    const ok =
      schema.type === "integer"
        ? Number.isInteger(value)
        : schema.type === kind && !(kind === "number" && !Number.isFinite(value));
    if (!ok) return [`${path}: expected ${schema.type}, got ${kind}`];
  }
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (schema.minimum !== undefined && typeof value === "number" && value < schema.minimum)
    problems.push(`${path}: ${value} < ${schema.minimum}`);
  if (schema.minLength !== undefined && typeof value === "string" && value.length < schema.minLength)
    problems.push(`${path}: shorter than ${schema.minLength}`);
  if (kind === "object") {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) problems.push(`${path}: missing '${r}'`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (sub) problems.push(...validate(v, sub, `${path}.${k}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected property '${k}'`);
    }
  }
  if (kind === "array") {
    const arr = value as unknown[];
    if (schema.minItems !== undefined && arr.length < schema.minItems)
      problems.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items) arr.forEach((v, i) => problems.push(...validate(v, schema.items!, `${path}[${i}]`)));
  }
  return problems;
}
