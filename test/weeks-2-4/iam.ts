/** Finds every IAM policy document in a synthesized stack, and the check that none grants everything. */
import { expect } from "vitest";
import type { StackJson } from "../support/terraform";

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: unknown;
}

export interface FoundPolicy {
  /** `<type>.<name>.<attribute path>` */
  readonly where: string;
  readonly document: { Statement: PolicyStatement[] };
}

/**
 * Terraform interpolations (`${element(split(":", aws_iam_role.x.arn), 4)}`) may hold quotes that are
 * HCL, not JSON: each becomes the placeholder `<terraform>` so the document parses.
 */
export function withoutInterpolations(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "$" && text[i + 1] === "{" && text[i - 1] !== "$") {
      let depth = 0;
      let quoted = false;
      let j = i + 1;
      for (; j < text.length; j++) {
        const c = text[j];
        if (quoted) {
          if (c === "\\") j++;
          else if (c === '"') quoted = false;
        } else if (c === '"') quoted = true;
        else if (c === "{") depth++;
        else if (c === "}" && --depth === 0) break;
      }
      out += "<terraform>";
      i = j;
    } else out += text[i];
  }
  return out;
}

/** Every attribute holding a policy document: policy, assume_role_policy, inline_policy[].policy, key policies, anything else that parses as one. */
export function policyDocuments(stack: StackJson): FoundPolicy[] {
  const found: FoundPolicy[] = [];
  const visit = (value: unknown, where: string) => {
    if (typeof value === "string") {
      if (!value.includes('"Statement"')) return;
      const document = JSON.parse(withoutInterpolations(value)) as { Statement: PolicyStatement | PolicyStatement[] };
      found.push({ where, document: { Statement: [document.Statement].flat() } });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${where}[${i}]`));
    } else if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) visit(child, `${where}.${key}`);
    }
  };
  for (const [type, resources] of Object.entries(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(resources)) visit(body, `${type}.${name}`);
  }
  return found;
}

/** No Allow statement may pair Action "*" (or "*:*") with Resource "*". */
export function expectNoAdminStatements(policies: readonly FoundPolicy[]): void {
  for (const { where, document } of policies) {
    for (const statement of document.Statement) {
      if (statement.Effect !== "Allow") continue;
      const actions = [statement.Action ?? []].flat();
      const resources = [statement.Resource ?? []].flat();
      const everyAction = actions.some((a) => a === "*" || a === "*:*") || statement.NotAction !== undefined;
      expect(everyAction && (resources.includes("*") || resources.length === 0), `${where} ${statement.Sid ?? ""} grants ${JSON.stringify(actions)} on ${JSON.stringify(resources)}`).toBe(false);
    }
  }
}
