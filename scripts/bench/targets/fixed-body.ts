// The body the ceiling targets serve: the spec's own `active` example, so that every target sends a body of the
// same shape and about the same size as the fake.
import { atPointer } from "../../../spec/json-pointer.ts";
import { loadSpec } from "../../../spec/load-spec.ts";

export const FIXED_BODY = JSON.stringify(
  atPointer(
    loadSpec(),
    "/paths/~1v1~1external-support~1{projectId}~1conversations~1{conversationId}/get/responses/200/content/application~1json/examples/active/value",
  ),
);
export const ROUTE = "/jelouapi/v1/external-support/:projectId/conversations/:conversationId";
