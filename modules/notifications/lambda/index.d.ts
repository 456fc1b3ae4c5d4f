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
/** An event as an EventBridge rule delivers it to a Lambda target (the function takes these too). */
export interface EventBridgeEvent {
  "detail-type": string;
  source: string;
  id?: string;
  account?: string;
  region?: string;
  time?: string;
  resources?: string[];
  detail?: Record<string, unknown>;
}
export interface HandlerOptions {
  /** Where the webhook URL comes from. @default - the SSM parameter named by WEBHOOK_PARAMETER_NAME */
  getWebhookUrl?: () => Promise<string | undefined>;
  /** @default 5000, or WEBHOOK_TIMEOUT_MS */
  timeoutMs?: number;
  log?: (line: string) => void;
}
export function createHandler(options?: HandlerOptions): (event: SnsEvent | EventBridgeEvent) => Promise<{ delivered: number }>;
/** The message for a pipeline event, an alarm, a security alert or another EventBridge event; undefined for any other value. */
export function formatEvent(event: unknown): SlackMessage | undefined;
export function formatMessage(message: string, subject?: string | null): SlackMessage;
export function postToWebhook(url: string | undefined, payload: unknown, options?: { timeoutMs?: number }): Promise<number>;
export function parseWebhookUrl(url: string | undefined): URL;
export const handler: (event: SnsEvent | EventBridgeEvent) => Promise<{ delivered: number }>;
