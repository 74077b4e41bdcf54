// `fake-jelou validate-webhook <file|->`: parses its arguments, calls validateWebhooks, prints the report; the exit
// code says the verdict.
import { Command, CommanderError } from "commander";
import { EXIT, redactor, secretForms } from "../spec/drift/output.ts";
import {
  MAX_DELIVERIES,
  MAX_INPUT_BYTES,
  readWebhookInput,
  validateWebhooks,
  WebhookInputError,
  webhookReportText,
} from "./validate-webhook.ts";

const help = `
Input: one delivery's body as Jelou sent it (JSON), or a capture {"headers": {...}, "body": "<the raw body>"},
or JSON Lines of either (one per line); at most ${MAX_INPUT_BYTES / 1024 / 1024} MiB and ${MAX_DELIVERIES} deliveries. The event is the
body's "event" (conversation.start, conversation.close) or "event_type" (message), unless --event says.

Signatures: set JELOU_SIGNING_SECRET (the integration's signingSecret; never a flag, which ps and shell history
would show) to check each X-Jelou-Signature (or --signature) over the raw body.
Exit codes: 0 conformant (warnings and info are printed), 1 breaking drift (or a warning under --strict),
2 bad usage or input, 4 a bug of fake-jelou. Details: docs/validate-webhook.md.

Examples:
  npx fake-jelou validate-webhook delivery.json
  JELOU_SIGNING_SECRET=... npx fake-jelou validate-webhook captures.jsonl --json
  pbpaste | npx fake-jelou validate-webhook - --event conversation.close`;

/** Runs `validate-webhook` with the arguments after it; resolves with the process's exit code. Never throws. */
export async function runValidateWebhookCli(args: readonly string[]): Promise<number> {
  const secret = process.env.JELOU_SIGNING_SECRET || undefined;
  // Until the input is read, the secret is the only thing to redact; the report brings its own redaction.
  const redactSecret = redactor(secretForms([secret]));
  let source = "";
  let options: { event?: string; signature?: string; json?: boolean; strict?: boolean; showValues?: boolean };
  try {
    const command = new Command("fake-jelou validate-webhook")
      .description("Check captured Jelou webhook deliveries against the spec, as the drift check judges responses.")
      .argument("<file>", "a file of one delivery, one capture or JSON Lines of them; - reads stdin")
      .option("--event <name>", "judge every delivery as this event, whatever its body names")
      .option("--signature <value>", "the X-Jelou-Signature of the one delivery (instead of its capture's header)")
      .option("--json", "print the report as JSON")
      .option("--strict", "warnings fail too (exit 1)")
      .option("--show-values", "show the observed values in the findings (secrets stay redacted)")
      .addHelpText("after", help)
      .showHelpAfterError("(add --help for usage)")
      // A mistyped flag such as --secret=... must not be echoed with its value.
      .configureOutput({ outputError: (text, write) => write(text.replace(/'(--?[\w-]+)=[^']*'/g, "'$1=…'")) })
      .exitOverride()
      .action((file: string) => {
        source = file;
      });
    command.parse([...args], { from: "user" });
    options = command.opts();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.conformant : EXIT.config;
    return internal(error, redactSecret);
  }
  try {
    const input = await readWebhookInput(source);
    const { report, redact } = validateWebhooks(input, {
      ...(options.event !== undefined && { event: options.event }),
      ...(options.signature !== undefined && { signature: options.signature }),
      ...(secret !== undefined && { secret }),
      strict: options.strict ?? false,
      showValues: options.showValues ?? false,
    });
    process.stdout.write(redact(options.json ? `${JSON.stringify(report, null, 2)}\n` : webhookReportText(report)));
    return report.exitCode;
  } catch (error) {
    if (error instanceof WebhookInputError) {
      process.stderr.write(redactSecret(`fake-jelou validate-webhook: ${error.message}\n`));
      return EXIT.config;
    }
    return internal(error, redactSecret);
  }
}

// A bug: its message, redacted, and no stack trace (the command never prints one).
function internal(error: unknown, redact: (text: string) => string): number {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(
    redact(`fake-jelou validate-webhook failed unexpectedly (a bug of fake-jelou, please report it): ${message}\n`),
  );
  return EXIT.internal;
}
