// Verifies a consumer's pact against a fake started for it: the consumer learns whether the calls it recorded are
// ones Jelou (as the fake models it) answers as expected, before it ever reaches production. Pact's own Verifier does
// the work; it puts the fake in each provider state through the fake's setup URL, as a verifier in any language would.
import { isAbsolute, resolve } from "node:path";
import { type MockServerOptions, startMockServer } from "./http/server.ts";
import { MockConfigError } from "./options.ts";

/** Options of {@link verifyPact}. */
export interface VerifyPactOptions {
  /** A pact file, or the URL of a pact (a Pact Broker's included). */
  pact: string;
  /** The provider name to verify as (default: `jelou-external-support`). */
  provider?: string;
  /** Pact Broker credentials for a pact URL: a token, or a user and password (default: none). */
  broker?: { token?: string; username?: string; password?: string };
  /** Options of the fake the pact is verified against (default: any credential accepted, admin on loopback). */
  fake?: Omit<MockServerOptions, "port" | "host" | "admin" | "adminToken">;
  /** Pact's log level (default `error`); never `trace`, which prints every option given. */
  logLevel?: "debug" | "info" | "warn" | "error";
}

/** One interaction's verdict. */
export interface VerifiedInteraction {
  description: string;
  ok: boolean;
  /** What did not match, one line each (`$.data.Bot: missing`), or why the interaction could not run. */
  mismatches: string[];
}

/** The verdict on a pact: every interaction matched, or which ones did not. */
export interface VerifyPactResult {
  ok: boolean;
  interactions: VerifiedInteraction[];
}

// The Verifier as this module uses it: its options are pact-core's, the setup URL and its teardown included.
interface VerifierConstructor {
  new (options: Record<string, unknown>): { verifyProvider(): Promise<unknown> };
}

/** Verifies a consumer's pact against a fake started for it, and stops the fake. */
export async function verifyPact(options: VerifyPactOptions): Promise<VerifyPactResult> {
  // Pact's core reports usage to its makers over the internet unless told not to; a sandbox should not.
  process.env.PACT_DO_NOT_TRACK ??= "true";
  const Verifier = await loadVerifier();
  const source = /^https?:\/\//i.test(options.pact)
    ? options.pact
    : isAbsolute(options.pact)
      ? options.pact
      : resolve(options.pact);
  const fake = await startMockServer({ ...options.fake, port: 0, host: "127.0.0.1", admin: true });
  try {
    const verifier = new Verifier({
      provider: options.provider ?? "jelou-external-support",
      providerBaseUrl: fake.url,
      pactUrls: [source],
      providerStatesSetupUrl: `${fake.url}/__admin/provider-states`,
      providerStatesSetupTeardown: true,
      logLevel: options.logLevel ?? "error",
      ...(options.broker?.token !== undefined && { pactBrokerToken: options.broker.token }),
      ...(options.broker?.username !== undefined && { pactBrokerUsername: options.broker.username }),
      ...(options.broker?.password !== undefined && { pactBrokerPassword: options.broker.password }),
    });
    try {
      await verifier.verifyProvider();
      return { ok: true, interactions: [] };
    } catch (error) {
      return verdictOf(error);
    }
  } finally {
    await fake.close();
  }
}

// @pact-foundation/pact is an optional peer: loaded only here, and named when it is missing.
async function loadVerifier(): Promise<VerifierConstructor> {
  try {
    const pact = (await import("@pact-foundation/pact")) as unknown as { Verifier: VerifierConstructor };
    return pact.Verifier;
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" ||
      (error as { code?: string }).code === "MODULE_NOT_FOUND"
    ) {
      throw new MockConfigError(
        "Failed to verify the pact: verify-pact needs @pact-foundation/pact, which is not installed. Install it beside fake-jelou: npm install --save-dev @pact-foundation/pact",
      );
    }
    throw error;
  }
}

interface VerifierFailure {
  errors?: {
    interaction?: string;
    mismatch?: { type?: string; message?: string; mismatches?: { path?: string; mismatch?: string }[] };
  }[];
  interactionResults?: { interactionDescription?: string; description?: string; result?: string }[];
}

/** The description of a failure of the whole run (a pact that cannot be read), rather than of one interaction. */
export const WHOLE_PACT = "(the pact)";

// The Verifier rejects with its results as JSON in the message; anything else (a pact it cannot read) is a failure
// of the whole run, said as the Verifier said it.
function verdictOf(error: unknown): VerifyPactResult {
  const message = error instanceof Error ? error.message : String(error);
  let results: VerifierFailure;
  try {
    results = JSON.parse(message) as VerifierFailure;
  } catch {
    return { ok: false, interactions: [{ description: WHOLE_PACT, ok: false, mismatches: [message] }] };
  }
  const failures = new Map<string, string[]>();
  for (const failure of results.errors ?? []) {
    const lines = failure.mismatch?.mismatches?.map((m) => `${m.path ?? ""} ${m.mismatch ?? ""}`.trim()) ?? [
      failure.mismatch?.message ?? failure.mismatch?.type ?? "failed",
    ];
    const key = failure.interaction ?? "(an interaction)";
    failures.set(key, [...(failures.get(key) ?? []), ...lines]);
  }
  const interactions = [...failures].map(([description, mismatches]) => ({ description, ok: false, mismatches }));
  return {
    ok: false,
    interactions:
      interactions.length > 0 ? interactions : [{ description: WHOLE_PACT, ok: false, mismatches: [message] }],
  };
}
