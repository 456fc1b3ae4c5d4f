/** Types of the week-4 Lambda handler (index.js), for the tests. */
export interface SlackMessage {
  text: string;
}
export interface SnsRecord {
  Sns: { Message: string; Subject?: string | null; MessageId?: string };
}
export interface SnsEvent {
  Records: SnsRecord[];
}
export interface HandlerOptions {
  /** Where the webhook URL comes from. @default - the SSM parameter named by WEBHOOK_PARAMETER_NAME */
  getWebhookUrl?: () => Promise<string | undefined>;
  /** @default 5000, or WEBHOOK_TIMEOUT_MS */
  timeoutMs?: number;
  log?: (line: string) => void;
}
export function createHandler(options?: HandlerOptions): (event: SnsEvent) => Promise<{ delivered: number }>;
export function formatMessage(message: string, subject?: string | null): SlackMessage;
export function postToWebhook(url: string | undefined, payload: unknown, options?: { timeoutMs?: number }): Promise<number>;
export function parseWebhookUrl(url: string | undefined): URL;
export const handler: (event: SnsEvent) => Promise<{ delivered: number }>;
