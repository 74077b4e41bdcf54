import { atPointer, toPointer } from "./json-pointer.ts";
import type { OpenApiDocument } from "./load-spec.ts";

/** One example written in the spec, with the pointer of the schema it must satisfy. */
export interface SpecExample {
  /** Human label: the example's name for named examples, else its index. */
  name: string;
  /** JSON pointer of the example in the spec, to name it in failures. */
  pointer: string;
  /** JSON pointer of the schema the example must validate against. */
  schemaPointer: string;
  value: unknown;
}

/**
 * Every example in the spec: named media-type examples of request and response bodies, parameter examples and schema
 * `examples` arrays. A named example written as a `$ref` to `components/examples` is listed resolved.
 */
export function listExamples(spec: OpenApiDocument): SpecExample[] {
  const found: SpecExample[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      for (const [mediaType, media] of entries(atPointer(operation, "/requestBody/content"))) {
        found.push(...mediaExamples(spec, media, ["paths", path, method, "requestBody", "content", mediaType]));
      }
      const responses = atPointer(operation, "/responses");
      for (const [status, response] of entries(responses)) {
        for (const [mediaType, media] of entries(atPointer(response, "/content"))) {
          const base = ["paths", path, method, "responses", status, "content", mediaType];
          found.push(...mediaExamples(spec, media, base));
        }
      }
    }
  }
  for (const [name, parameter] of entries(spec.components.parameters)) {
    found.push(...mediaExamples(spec, parameter, ["components", "parameters", name]));
  }
  walkSchemas(spec.components.schemas, ["components", "schemas"], found);
  return found;
}

function mediaExamples(spec: OpenApiDocument, holder: unknown, base: string[]): SpecExample[] {
  const schemaPointer = toPointer([...base, "schema"]);
  const out: SpecExample[] = [];
  const single = atPointer(holder, "/example");
  if (single !== undefined) {
    out.push({ name: "example", pointer: toPointer([...base, "example"]), schemaPointer, value: single });
  }
  for (const [name, example] of entries(atPointer(holder, "/examples"))) {
    const ref = atPointer(example, "/$ref");
    const resolved = typeof ref === "string" && ref.startsWith("#") ? atPointer(spec, ref.slice(1)) : example;
    out.push({
      name,
      pointer: toPointer([...base, "examples", name]),
      schemaPointer,
      value: atPointer(resolved, "/value"),
    });
  }
  return out;
}

// Schema objects nest (properties, allOf, items...); any of them may carry a JSON Schema `examples` array or the
// open-enum `x-known-values` list, and every value in either must satisfy the schema it sits in.
const VALUE_LISTS = ["examples", "x-known-values"];

function walkSchemas(node: unknown, path: string[], found: SpecExample[]): void {
  if (typeof node !== "object" || node === null) return;
  for (const [key, child] of Object.entries(node)) {
    if (VALUE_LISTS.includes(key) && Array.isArray(child)) {
      child.forEach((value, i) => {
        found.push({
          name: `${key}[${i}]`,
          pointer: toPointer([...path, key, i]),
          schemaPointer: toPointer(path),
          value,
        });
      });
    } else {
      walkSchemas(child, [...path, key], found);
    }
  }
}

function entries(node: unknown): [string, unknown][] {
  return typeof node === "object" && node !== null && !Array.isArray(node) ? Object.entries(node) : [];
}
