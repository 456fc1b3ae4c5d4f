/** EC2 facts shared by every module that runs an instance. */
import { z } from "zod";
import { isCidr } from "./cidr";

export const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge|metal-\d+xl)$/;

export const instanceTypeSchema = z
  .string()
  .regex(INSTANCE_TYPE_PATTERN, "an EC2 instance type such as t3.micro or m7g.large (family.size)");

/** Graviton families carry a `g` after the generation digit (t4g, m7g, c6gn, x2gd) or are `a1`. */
export function architectureOf(instanceType: string): "x86_64" | "arm64" {
  const family = instanceType.split(".")[0];
  return family === "a1" || /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family.replace(/-flex$/, "")) ? "arm64" : "x86_64";
}

/**
 * The latest Amazon Linux 2023 AMI as an SSM public parameter, resolved by EC2 at launch.
 * Put in a launch template it needs no AWS call at plan time (so plans run offline) and the
 * instance is not replaced every time Amazon publishes a new AMI.
 */
export function amazonLinux2023Image(instanceType: string): string {
  const arch = architectureOf(instanceType);
  return `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
}

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const logRetentionSchema = z
  .number()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), `one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")} (days)`);

export const cidrListSchema = (what: string) =>
  z.array(z.string().refine(isCidr, `${what}: IPv4 CIDR blocks with no host bits set, such as 203.0.113.10/32`));
