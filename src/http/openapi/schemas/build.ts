/**
 * Small builders for the document's JSON Schemas (2020-12, as OpenAPI 3.1 uses). Responses we write ourselves are
 * closed (`additionalProperties: false`, every field required unless named optional), so a field added to a
 * response without being described fails the contract test and the fuzzer's schema check.
 */
export type Schema = Record<string, unknown>;

export const str: Schema = { type: 'string' };
export const int: Schema = { type: 'integer', minimum: 0 };
export const num: Schema = { type: 'number' };
export const bool: Schema = { type: 'boolean' };
export const dateTime: Schema = { type: 'string', format: 'date-time' };
export const strings: Schema = { type: 'array', items: str };

/** A closed object: every property required except those listed in `optional`. */
export function obj(properties: Record<string, Schema>, optional: string[] = []): Schema {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties).filter((k) => !optional.includes(k)), properties };
}

export function list(items: Schema): Schema {
  return { type: 'array', items };
}

export function orNull(schema: Schema): Schema {
  return { anyOf: [schema, { type: 'null' }] };
}

export function oneOf(...values: string[]): Schema {
  return { type: 'string', enum: values };
}

export function ref(name: string): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

/** A request body's object: open, because the handlers read the fields they know and ignore the rest. */
export function input(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', ...(required.length ? { required } : {}), properties };
}
