import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signJelouPayload, verifyJelouSignature } from "../../../mock/webhooks/signature.ts";

const secret = "whsec_test_0123456789";
const body = JSON.stringify({ event: "conversation.start", project_id: "p-1", note: "ñandú" });
const independent = (bytes: string | Buffer, key: string) =>
  `sha256=${createHmac("sha256", key).update(bytes).digest("hex")}`;

describe("signJelouPayload", () => {
  it("is sha256= and the lower-case hex HMAC-SHA256 of the UTF-8 bytes", () => {
    const signature = signJelouPayload(body, secret);
    expect(signature).toBe(independent(Buffer.from(body, "utf8"), secret));
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it("signs a Buffer and the string it encodes alike", () => {
    expect(signJelouPayload(Buffer.from(body), secret)).toBe(signJelouPayload(body, secret));
  });
});

describe("verifyJelouSignature", () => {
  const header = independent(body, secret);

  it("accepts the signature of the exact bytes, as a string or a Buffer, hex in either case", () => {
    expect(verifyJelouSignature(body, header, secret)).toBe(true);
    expect(verifyJelouSignature(Buffer.from(body), header, secret)).toBe(true);
    expect(verifyJelouSignature(body, `sha256=${header.slice(7).toUpperCase()}`, secret)).toBe(true);
  });

  it("refuses other bytes, even the same JSON spaced differently, and another secret", () => {
    expect(verifyJelouSignature(JSON.stringify(JSON.parse(body), null, 1), header, secret)).toBe(false);
    expect(verifyJelouSignature(`${body} `, header, secret)).toBe(false);
    expect(verifyJelouSignature(body, header, `${secret}x`)).toBe(false);
  });

  it.each([
    ["missing", undefined],
    ["repeated (an array of headers)", [header, header]],
    ["without the prefix", header.slice(7)],
    ["with another algorithm", `sha1=${header.slice(7)}`],
    ["too short", header.slice(0, -2)],
    ["not hex", `sha256=${"z".repeat(64)}`],
    ["empty", ""],
  ])("is false, not a throw, for a header %s", (_name, bad) => {
    expect(verifyJelouSignature(body, bad, secret)).toBe(false);
  });

  it("is false for an empty or non-string secret and a body that is not bytes", () => {
    expect(verifyJelouSignature(body, independent(body, ""), "")).toBe(false);
    expect(verifyJelouSignature(body, header, undefined)).toBe(false);
    expect(verifyJelouSignature({ parsed: true }, header, secret)).toBe(false);
  });
});
