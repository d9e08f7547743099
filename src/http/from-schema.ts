/**
 * The TypeScript type of the JSON a schema accepts, derived from the schema itself (in the spirit of
 * json-schema-to-ts's `FromSchema`, for the subset Switchboard's body schemas use: `type` (one or a list), `enum`,
 * `properties` + `required`, `items`, `anyOf`). A route then gets a typed body from the same object Ajv validates,
 * rather than a hand-written interface and a `body as T` cast that can drift apart.
 *
 * Graph's types are open (a client may send properties the schema does not list, and they pass validation), so an
 * object type keeps an index signature of `unknown`. A property outside `required` is optional; a schema with a
 * `'null'` type admits `null`. Anything the subset does not cover becomes `unknown`, never `any`.
 */

type Simple = {
  string: string;
  number: number;
  integer: number;
  boolean: boolean;
  null: null;
};

type ObjectOf<S> = S extends { properties: infer P }
  ? RequiredKeys<S> extends infer R
    ? { -readonly [K in keyof P as K extends R ? K : never]-?: FromSchema<P[K]> } & {
        -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K]>;
      } & { [extra: string]: unknown }
    : never
  : Record<string, unknown>;

type RequiredKeys<S> = S extends { required: readonly (infer R)[] } ? R : never;

type ArrayOf<S> = S extends { items: infer I } ? FromSchema<I>[] : unknown[];

/** One JSON type name of `S` (distributes over a union of names). */
type OfType<S, T> = T extends 'object'
  ? ObjectOf<S>
  : T extends 'array'
    ? ArrayOf<S>
    : T extends keyof Simple
      ? Simple[T]
      : unknown;

export type FromSchema<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { anyOf: readonly (infer B)[] }
    ? FromSchema<B>
    : S extends { type: infer T }
      ? OfType<S, T extends readonly (infer U)[] ? U : T>
      : unknown;
