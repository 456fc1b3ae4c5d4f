/** EC2 facts shared by every module that runs an instance. */
import { z } from "zod";
import { isCidr } from "./cidr";

export const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge|metal-\d+xl)$/;

/**
 * The instance types this course runs, by family: general purpose and burstable families current in
 * every region the study lists, up to 4xlarge (https://docs.aws.amazon.com/ec2/latest/instancetypes/,
 * checked 2026-12-01). A made-up size such as t3.metal, or a type a study never needs, is refused at
 * synth instead of by EC2 at launch.
 */
export const COURSE_INSTANCE_TYPES: Readonly<Record<string, readonly string[]>> = {
  t3: ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"],
  t3a: ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"],
  t4g: ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"],
  m5: ["large", "xlarge", "2xlarge", "4xlarge"],
  m6i: ["large", "xlarge", "2xlarge", "4xlarge"],
  m6g: ["medium", "large", "xlarge", "2xlarge", "4xlarge"],
  m7i: ["large", "xlarge", "2xlarge", "4xlarge"],
  m7g: ["medium", "large", "xlarge", "2xlarge", "4xlarge"],
  c5: ["large", "xlarge", "2xlarge", "4xlarge"],
  c6i: ["large", "xlarge", "2xlarge", "4xlarge"],
  c6g: ["medium", "large", "xlarge", "2xlarge", "4xlarge"],
  c7g: ["medium", "large", "xlarge", "2xlarge", "4xlarge"],
  r5: ["large", "xlarge", "2xlarge", "4xlarge"],
  r6i: ["large", "xlarge", "2xlarge", "4xlarge"],
  r6g: ["medium", "large", "xlarge", "2xlarge", "4xlarge"],
};

export function isCourseInstanceType(type: string): boolean {
  const [family, size] = type.split(".");
  return COURSE_INSTANCE_TYPES[family]?.includes(size) ?? false;
}

export const instanceTypeSchema = z
  .string()
  .refine(isCourseInstanceType, `an EC2 instance type the course runs, such as t3.micro or t4g.medium: families ${Object.keys(COURSE_INSTANCE_TYPES).join(", ")}, from nano or medium/large up to 4xlarge (lib/aws/ec2.ts lists the sizes)`);

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
  uniqueList(z.array(z.string().refine(isCidr, `${what}: IPv4 CIDR blocks with no host bits set, such as 203.0.113.10/32`)), "CIDR block");

/** A list whose items must differ: AWS refuses a rule or an entry given twice, at apply. */
export function uniqueList<T extends z.ZodArray<z.ZodType<string>>>(schema: T, item: string): T {
  return schema.refine((items) => new Set(items).size === items.length, { message: `each ${item} listed once` }) as unknown as T;
}
