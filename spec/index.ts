// The spec as a library: `import { loadSpec, createSpecValidator, SPEC_PATH } from "fake-jelou/spec"`.
export { loadSpec, type OpenApiDocument, SPEC_PATH, SpecLoadError } from "./load-spec.ts";
export {
  createSpecValidator,
  formatViolations,
  type ObservedResponse,
  type OperationId,
  type ResponseValidation,
  type SchemaName,
  type SchemaViolation,
  type SpecValidator,
  type SpecValidatorOptions,
} from "./schema-validator.ts";
