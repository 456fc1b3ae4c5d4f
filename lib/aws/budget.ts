/**
 * A monthly cost budget that mails before the money is spent: at each share of actual spend, and
 * when the month's forecast passes the limit. The cost guard (from week 1) and the classroom's
 * per-learner budgets both make theirs here.
 */
import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import type { Construct } from "constructs";

export interface MonthlyBudgetProps {
  readonly name: string;
  readonly limitUsd: number;
  readonly emails: readonly string[];
  /** Percentages of actual spend that send a mail, e.g. [80, 100]. */
  readonly actualThresholds: readonly number[];
  /** Also mail when the month's forecast passes 100 %. @default true */
  readonly forecast?: boolean;
  /** Only costs tagged so (`user:<Key>$<value>`); the tag must be an active cost allocation tag. @default - the whole account */
  readonly costFilterTag?: { readonly key: string; readonly value: string };
  /** Only the costs of this member account (a budget in an organization's management account). @default - the whole account */
  readonly linkedAccount?: string;
  /** SNS topics told at a threshold as well (a brake listens there), by threshold. */
  readonly topicsAt?: Readonly<Record<number, readonly string[]>>;
  readonly tags?: Readonly<Record<string, string>>;
}

export function monthlyBudget(scope: Construct, id: string, props: MonthlyBudgetProps): BudgetsBudget {
  const notifications = [
    ...props.actualThresholds.map((threshold) => ({ threshold, notificationType: "ACTUAL" })),
    ...((props.forecast ?? true) ? [{ threshold: 100, notificationType: "FORECASTED" }] : []),
  ];
  return new BudgetsBudget(scope, id, {
    name: props.name,
    budgetType: "COST",
    limitAmount: props.limitUsd.toFixed(2),
    limitUnit: "USD",
    timeUnit: "MONTHLY",
    costFilter: props.costFilterTag
      ? [{ name: "TagKeyValue", values: [`user:${props.costFilterTag.key}$${props.costFilterTag.value}`] }]
      : props.linkedAccount
        ? [{ name: "LinkedAccount", values: [props.linkedAccount] }]
        : undefined,
    notification: notifications.map((n) => ({
      comparisonOperator: "GREATER_THAN",
      thresholdType: "PERCENTAGE",
      subscriberEmailAddresses: [...props.emails],
      subscriberSnsTopicArns: n.notificationType === "ACTUAL" && props.topicsAt?.[n.threshold] ? [...props.topicsAt[n.threshold]] : undefined,
      ...n,
    })),
    tags: props.tags ? { ...props.tags } : undefined,
  });
}
