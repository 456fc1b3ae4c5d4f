import { z } from "zod";
import { logRetentionSchema, uniqueList } from "../../lib/aws/ec2";

export const NOTIFICATIONS_DEFAULTS = {
  pipelineEvents: ["started", "succeeded", "failed"],
  functionTimeoutSeconds: 15,
  webhookTimeoutMs: 5000,
  logRetentionDays: 14,
} as const;

export const PIPELINE_EVENTS = ["started", "succeeded", "failed", "canceled", "resumed", "superseded"] as const;

export const notificationsSettings = z.strictObject({
  /** Email addresses subscribed to the topic (each confirms once from the email AWS sends). @default [] */
  emails: uniqueList(z.array(z.email("an email address such as kim@example.com")), "address").default([]),
  /** Which pipeline execution events reach the topic when week 3 is on. @default [started, succeeded, failed] */
  pipelineEvents: z.array(z.enum(PIPELINE_EVENTS)).min(1).default([...NOTIFICATIONS_DEFAULTS.pipelineEvents]),
  webhook: z
    .strictObject({
      /** Post the topic's messages to a Slack-compatible incoming webhook through a Lambda function; false leaves email only (no function, no webhook key). @default true */
      enabled: z.boolean().default(true),
      /**
       * SSM parameter holding the webhook URL (a SecureString you create; its value is never in this config).
       * @default - `/devops-weeks/<project>-<environment>/webhook-url`
       */
      parameterName: z
        .string()
        .regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/, "an SSM parameter path such as /devops-weeks/dev/webhook-url")
        .optional(),
      /** How long the function waits for the webhook to answer, in ms: less than `functionTimeoutSeconds` minus 2 s. @default 5000 */
      timeoutMs: z.number().int().min(100).max(60000).default(NOTIFICATIONS_DEFAULTS.webhookTimeoutMs),
      /** The function's own timeout, in seconds. @default 15 */
      functionTimeoutSeconds: z.number().int().min(3).max(900).default(NOTIFICATIONS_DEFAULTS.functionTimeoutSeconds),
      /** Days the function's log group keeps its events. @default 14 */
      logRetentionDays: logRetentionSchema.default(NOTIFICATIONS_DEFAULTS.logRetentionDays),
    })
    .prefault({}),
});

export type NotificationsSettings = z.output<typeof notificationsSettings>;
