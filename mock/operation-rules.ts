// Per-operation rules: "startConversation answers 500 for project p1", or for every project. Bounded by count and
// bytes like the conversation rules.
import type { operations } from "../generated/jelou-external-support.ts";
import { ownString } from "./journal.ts";
import { ruleCost } from "./rules.ts";
import type { Scenario } from "./scenario.ts";

/** What one operation answers, for one project or (without `projectId`) for every project. */
export interface OperationRule {
  operationId: keyof operations;
  projectId?: string;
  scenario: Scenario;
}

const keyOf = (operationId: string, projectId: string | undefined) =>
  JSON.stringify(projectId === undefined ? [operationId] : [operationId, projectId]);

/** The operation rules, within a count and a byte budget. */
export class OperationRuleStore {
  readonly #rules = new Map<string, { rule: OperationRule; bytes: number }>();
  #bytes = 0;
  readonly limit: number;
  readonly budgetBytes: number;
  constructor(limit: number, budgetBytes: number) {
    this.limit = limit;
    this.budgetBytes = budgetBytes;
  }

  /** Stores a rule, replacing the previous one for the same operation and project; says which bound refused it. */
  set(rule: OperationRule): { ok: true } | { ok: false; refused: "count" | "bytes" } {
    const key = keyOf(rule.operationId, rule.projectId);
    const previous = this.#rules.get(key);
    if (!previous && this.#rules.size >= this.limit) return { ok: false, refused: "count" };
    const stored: OperationRule = {
      operationId: rule.operationId,
      ...(rule.projectId !== undefined && { projectId: ownString(rule.projectId) }),
      scenario: rule.scenario,
    };
    const bytes = ruleCost(stored);
    if (this.#bytes - (previous?.bytes ?? 0) + bytes > this.budgetBytes) return { ok: false, refused: "bytes" };
    this.#rules.set(key, { rule: stored, bytes });
    this.#bytes += bytes - (previous?.bytes ?? 0);
    return { ok: true };
  }
  get(operationId: string, projectId: string | undefined): OperationRule | undefined {
    return this.#rules.get(keyOf(operationId, projectId))?.rule;
  }
  /** The rule that applies to a request: the project's own, else the one for every project. */
  applying(operationId: string, projectId: string | undefined): OperationRule | undefined {
    // Every request asks: without rules, the answer costs no key.
    if (this.#rules.size === 0) return undefined;
    return (projectId === undefined ? undefined : this.get(operationId, projectId)) ?? this.get(operationId, undefined);
  }
  delete(operationId: string, projectId: string | undefined): boolean {
    const key = keyOf(operationId, projectId);
    const entry = this.#rules.get(key);
    if (!entry) return false;
    this.#bytes -= entry.bytes;
    return this.#rules.delete(key);
  }
  list(): OperationRule[] {
    return [...this.#rules.values()].map(({ rule }) => rule);
  }
  get size(): number {
    return this.#rules.size;
  }
  get bytes(): number {
    return this.#bytes;
  }
  clear(): void {
    this.#rules.clear();
    this.#bytes = 0;
  }
}
