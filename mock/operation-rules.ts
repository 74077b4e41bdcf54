// Per-operation rules: "startConversation answers 500 for project p1", or for every project. Bounded by count and
// bytes like the conversation rules.
import type { operations } from "../generated/jelou-external-support.ts";
import { BudgetedMap, type BudgetRefusal } from "./budgeted-map.ts";
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
  readonly #rules: BudgetedMap<OperationRule>;
  constructor(limit: number, budgetBytes: number) {
    this.#rules = new BudgetedMap<OperationRule>(limit, budgetBytes, ruleCost);
  }
  get limit(): number {
    return this.#rules.limit;
  }
  get budgetBytes(): number {
    return this.#rules.budgetBytes;
  }

  /** Stores a rule, replacing the previous one for the same operation and project; says which bound refused it. */
  set(rule: OperationRule): { ok: true } | { ok: false; refused: BudgetRefusal } {
    const stored: OperationRule = {
      operationId: rule.operationId,
      ...(rule.projectId !== undefined && { projectId: ownString(rule.projectId) }),
      scenario: rule.scenario,
    };
    return this.#rules.set(keyOf(rule.operationId, rule.projectId), stored);
  }
  get(operationId: string, projectId: string | undefined): OperationRule | undefined {
    return this.#rules.get(keyOf(operationId, projectId));
  }
  /** The rule that applies to a request: the project's own, else the one for every project. */
  applying(operationId: string, projectId: string | undefined): OperationRule | undefined {
    // Every request asks: without rules, the answer costs no key.
    if (this.#rules.size === 0) return undefined;
    return (projectId === undefined ? undefined : this.get(operationId, projectId)) ?? this.get(operationId, undefined);
  }
  delete(operationId: string, projectId: string | undefined): boolean {
    return this.#rules.delete(keyOf(operationId, projectId));
  }
  list(): OperationRule[] {
    return [...this.#rules.values()];
  }
  get size(): number {
    return this.#rules.size;
  }
  get bytes(): number {
    return this.#rules.bytes;
  }
  clear(): void {
    this.#rules.clear();
  }
}
