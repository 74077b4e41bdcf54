// `fake-jelou verify-pact <pact>`: parses its arguments, calls verifyPact, prints the verdict; the exit code says it.
import { Command, CommanderError } from "commander";
import { verifyPact, WHOLE_PACT } from "./verify-pact.ts";

const help = `
Starts a fake (any credential accepted), puts it in each interaction's provider state through its setup URL
(POST /__admin/provider-states), and replays the pact against it with Pact's Verifier. The provider states it
understands are listed in docs/verify-pact.md (e.g. "project {projectId} has an integration", "jelou fails").

Pact Broker credentials, for a pact URL: PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD.
Exit codes: 0 every interaction matched, 1 one did not (or the pact could not be read), 2 bad usage.

Examples:
  npx fake-jelou verify-pact pacts/my-panel-jelou-external-support.json
  PACT_BROKER_TOKEN=... npx fake-jelou verify-pact https://broker.example.com/pacts/provider/jelou-external-support/consumer/my-panel/latest`;

/** Runs `verify-pact` with the arguments after it; resolves with the process's exit code. */
export async function runVerifyPactCli(args: readonly string[]): Promise<number> {
  let pact = "";
  let options: { provider?: string; seed?: string };
  try {
    const command = new Command("fake-jelou verify-pact")
      .description("Verify a consumer's pact against the fake Jelou.")
      .argument("<pact>", "a pact file, or a pact's URL (a Pact Broker's included)")
      .option("--provider <name>", "the provider name to verify as", "jelou-external-support")
      .option("--seed <text>", "seed of the fake's generated data")
      .addHelpText("after", help)
      .showHelpAfterError("(add --help for usage)")
      .exitOverride()
      .action((source: string) => {
        pact = source;
      });
    command.parse([...args], { from: "user" });
    options = command.opts();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const { PACT_BROKER_TOKEN: token, PACT_BROKER_USERNAME: username, PACT_BROKER_PASSWORD: password } = process.env;
  const result = await verifyPact({
    pact,
    ...(options.provider !== undefined && { provider: options.provider }),
    ...(options.seed !== undefined && { fake: { seed: options.seed } }),
    broker: {
      ...(token !== undefined && { token }),
      ...(username !== undefined && { username }),
      ...(password !== undefined && { password }),
    },
  });
  if (result.ok) {
    console.log(`fake-jelou verify-pact: every interaction of ${pact} matched the fake.`);
    return 0;
  }
  const failed = result.interactions.filter((i) => !i.ok);
  if (failed.length === 1 && failed[0]?.description === WHOLE_PACT) {
    console.log(`fake-jelou verify-pact: could not verify ${pact}: ${failed[0].mismatches.join(" ")}`);
    return 1;
  }
  console.log(`fake-jelou verify-pact: ${failed.length} interaction(s) of ${pact} did not match the fake:`);
  for (const interaction of failed) {
    console.log(`  ✗ ${interaction.description}`);
    for (const line of interaction.mismatches) console.log(`      ${line}`);
  }
  return 1;
}
