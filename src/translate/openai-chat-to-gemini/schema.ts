// JSON Schema (OpenAI tool parameters, strict mode included) → the OpenAPI subset Gemini's `parameters` accepts
// (PROTOCOLS 5.2, §6.10 #8): local `$ref`s are inlined, unknown keywords (`$schema`, `$defs`, `additionalProperties`,
// `title`, `default`, …) dropped, `type: [X, "null"]` becomes `nullable`, `const` an enum, `required` keeps only
// defined properties.
import { isObject } from './content.js';

type Schema = Record<string, unknown>;

const KEEP = new Set([
  'description',
  'enum',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'nullable',
  'minProperties',
  'maxProperties',
  'propertyOrdering',
]);
/** `format` values Gemini accepts (strings: enum and date-time; numbers: int32/int64/float/double). */
const FORMATS = new Set(['enum', 'date-time', 'int32', 'int64', 'float', 'double']);
const MAX_DEPTH = 32;

function typeOf(t: unknown, out: Schema): void {
  if (typeof t === 'string') {
    if (t !== 'null') out.type = t.toUpperCase();
    else out.nullable = true;
    return;
  }
  if (!Array.isArray(t)) return;
  const real = t.filter((x): x is string => typeof x === 'string' && x !== 'null');
  if (real.length > 0) out.type = real[0].toUpperCase();
  if (t.includes('null')) out.nullable = true;
}

/** `#/$defs/X` or `#/definitions/X` in the root schema; undefined when it is not a local reference. */
function resolve(ref: unknown, root: Schema): unknown {
  const m = typeof ref === 'string' ? /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
  const defs = m ? root[m[1]] : undefined;
  return m && isObject(defs) ? defs[decodeURIComponent(m[2])] : undefined;
}

function clean(input: unknown, depth: number, root: Schema): Schema {
  // Recursive references end at MAX_DEPTH as an empty schema.
  const s = isObject(input) && input.$ref !== undefined ? resolve(input.$ref, root) : input;
  if (!isObject(s) || depth > MAX_DEPTH) return {};
  const out: Schema = {};
  typeOf(s.type, out);
  for (const k of KEEP) if (s[k] !== undefined) out[k] = s[k];
  if (s.const !== undefined && out.enum === undefined) out.enum = [s.const];
  if (Array.isArray(out.enum)) out.enum = out.enum.filter((v) => v !== null).map(String);
  if (typeof s.format === 'string' && FORMATS.has(s.format)) out.format = s.format;
  if (isObject(s.properties)) {
    const props: Schema = {};
    for (const [name, sub] of Object.entries(s.properties)) props[name] = clean(sub, depth + 1, root);
    out.properties = props;
    if (out.type === undefined) out.type = 'OBJECT';
    if (Array.isArray(s.required)) {
      const required = s.required.filter((r): r is string => typeof r === 'string' && r in props);
      if (required.length > 0) out.required = required;
    }
  }
  if (s.items !== undefined) out.items = clean(Array.isArray(s.items) ? s.items[0] : s.items, depth + 1, root);
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k])) {
      const variants = (s[k] as unknown[]).filter((v) => !(isObject(v) && v.type === 'null'));
      if ((s[k] as unknown[]).length !== variants.length) out.nullable = true;
      // A single remaining variant is inlined (Gemini handles plain schemas better than a one-item anyOf).
      if (variants.length === 1) Object.assign(out, clean(variants[0], depth + 1, root), out.nullable ? { nullable: true } : {});
      else if (variants.length > 1) out.anyOf = variants.map((v) => clean(v, depth + 1, root));
    }
  }
  if (Array.isArray(s.allOf)) for (const part of s.allOf) Object.assign(out, clean(part, depth + 1, root));
  if (out.type === 'ARRAY' && out.items === undefined) out.items = { type: 'STRING' };
  return out;
}

/** Tool parameters for Gemini; an absent schema is an object with no properties. */
export function geminiSchema(parameters: unknown): Schema {
  if (!isObject(parameters)) return { type: 'OBJECT', properties: {} };
  const out = clean(parameters, 0, parameters);
  if (out.type === 'OBJECT' && out.properties === undefined) out.properties = {};
  return out;
}
