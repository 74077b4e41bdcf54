import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** Absolute path of the hand-written OpenAPI document, the single source of truth. */
export const SPEC_PATH = fileURLToPath(new URL("./jelou-external-support.openapi.yaml", import.meta.url));

/** The parts of an OpenAPI 3.1 document that fake-jelou reads; everything else is carried along untyped. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> } & Record<string, unknown>;
  [key: string]: unknown;
}

/** A spec that cannot be read or parsed: a fault of the toolkit's input, not a response of the fake. */
export class SpecLoadError extends Error {
  override name = "SpecLoadError";
}

// The last document parsed, with the text it came from. One process often loads the same spec many times (every fake
// it starts, every drift check), and parsing the YAML takes 50 to 200 ms where copying the document takes about 1 ms.
// The file is still read on every call, and each caller gets its own copy, as a fresh parse would give it.
let lastParsed: { text: string; doc: OpenApiDocument } | undefined;

/** Reads and parses the spec (default: the committed one); duplicate keys and YAML errors are fatal. */
export function loadSpec(path: string = SPEC_PATH): OpenApiDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new SpecLoadError(`Failed to read the spec at ${path}: ${(cause as Error).message}.`, { cause });
  }
  if (lastParsed?.text === text) return structuredClone(lastParsed.doc);
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true, prettyErrors: true });
  } catch (cause) {
    throw new SpecLoadError(
      `Failed to parse the spec at ${path}: ${(cause as Error).message}. Fix the YAML and run npm run lint:spec.`,
      { cause },
    );
  }
  if (!isOpenApi31(doc)) {
    throw new SpecLoadError(
      `Failed to load the spec at ${path}: it is not an OpenAPI 3.1 document with paths and components.schemas.`,
    );
  }
  lastParsed = { text, doc: structuredClone(doc) };
  return doc;
}

function isOpenApi31(doc: unknown): doc is OpenApiDocument {
  if (typeof doc !== "object" || doc === null) return false;
  const { openapi, paths, components } = doc as Record<string, unknown>;
  return (
    typeof openapi === "string" &&
    openapi.startsWith("3.1.") &&
    typeof paths === "object" &&
    paths !== null &&
    typeof components === "object" &&
    components !== null &&
    typeof (components as Record<string, unknown>).schemas === "object"
  );
}
