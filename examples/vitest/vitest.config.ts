// vitest.config.ts: nothing fake-jelou-specific beyond the globalSetup (no server.deps.inline).
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { globalSetup: ["./vitest.global-setup.ts"] } });
