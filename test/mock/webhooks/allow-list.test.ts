import { describe, expect, it } from "vitest";
import { isWebhookHost, webhookHostAllowed } from "../../../mock/webhooks/allow-list.ts";

describe("webhookHostAllowed", () => {
  it.each([
    ["http://anything.test/hook", undefined, true],
    ["ftp://anything.test/hook", undefined, false],
    ["http://Hooks.Example.com/x", ["hooks.example.com"], true],
    ["http://hooks.example.com./x", ["hooks.example.com"], true],
    ["http://hooks.example.com/x", ["hooks.example.com."], true],
    ["http://a.b.example.com/x", [".example.com"], true],
    ["http://example.com/x", [".example.com"], true],
    ["http://evil-example.com/x", [".example.com"], false],
    ["http://example.com.evil.test/x", [".example.com"], false],
    ["http://[::1]:8080/x", ["::1"], true],
    ["http://[::1]:8080/x", ["[::1]"], true],
    ["http://10.0.0.5/x", ["10.0.0.5"], true],
    ["http://10.0.0.6/x", ["10.0.0.5"], false],
    ["http://0x7f.0.0.1/x", ["127.0.0.1"], true],
    ["http://127.0.0.1/x", [], false],
  ])("%s with %j: %s", (url, allow, expected) => {
    expect(webhookHostAllowed(new URL(url), allow)).toBe(expected);
  });
});

describe("isWebhookHost", () => {
  it.each(["hooks.example.com", ".example.com", "localhost.", "10.0.0.5", "::1", "[::1]"])("accepts %s", (entry) => {
    expect(isWebhookHost(entry)).toBe(true);
  });
  it.each(["https://x.test", "x.test:80", "x.test/path", "", "a b"])("refuses %j", (entry) => {
    expect(isWebhookHost(entry)).toBe(false);
  });
});
