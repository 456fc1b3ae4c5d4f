import { z } from "zod";
import { cidrListSchema, instanceTypeSchema, logRetentionSchema } from "../../lib/aws/ec2";
import { isCidr } from "../../lib/aws/cidr";

export const NETWORK_DEFAULTS = {
  vpcCidr: "10.0.0.0/16",
  /** /20 gives 4,091 usable addresses per subnet: room for EKS pods, which take VPC IPs. */
  subnetPrefixLength: 20,
  natMode: "gateway",
  natInstanceType: "t3.micro",
  flowLogRetentionDays: 30,
  bastionInstanceType: "t3.micro",
} as const;

export const networkSettings = z.strictObject({
  /** The VPC's IPv4 range. @default 10.0.0.0/16 */
  vpcCidr: z
    .string()
    .refine(isCidr, "an IPv4 CIDR block with no host bits set, such as 10.0.0.0/16")
    // AWS accepts a VPC's primary block from /16 (65,536 addresses) to /28.
    .refine((cidr) => !isCidr(cidr) || (Number(cidr.split("/")[1]) >= 16 && Number(cidr.split("/")[1]) <= 28), "a block from /16 to /28, which AWS allows for a VPC, such as 10.0.0.0/16")
    .default(NETWORK_DEFAULTS.vpcCidr),
  /**
   * Size of every subnet; public ones take the lower half of the VPC, private ones the upper half, so the VPC
   * must leave room for 2 subnets per AZ. @default 20
   */
  subnetPrefixLength: z.number().int().min(16).max(28).default(NETWORK_DEFAULTS.subnetPrefixLength),
  nat: z
    .strictObject({
      /**
       * gateway (managed, ~43 USD/month each), instance (a t3.micro NAT instance, free-tier eligible, forwards
       * HTTP/HTTPS only) or none (the private subnets have no internet). @default gateway
       */
      mode: z.enum(["gateway", "instance", "none"]).default(NETWORK_DEFAULTS.natMode),
      /** One NAT per AZ (survives an AZ outage, multiplies the cost) instead of one shared. @default false */
      perAz: z.boolean().default(false),
      /** Instance type of the NAT instances, for `mode: instance`. @default t3.micro */
      instanceType: instanceTypeSchema.default(NETWORK_DEFAULTS.natInstanceType),
    })
    .prefault({}),
  endpoints: z
    .strictObject({
      /**
       * A gateway endpoint for S3 on the private route tables. Free: ECR image layers, package repositories
       * and S3 transfers from the private subnets stop paying the NAT's per-GB charge. @default true
       */
      s3Gateway: z.boolean().default(true),
      /**
       * Interface endpoints for Session Manager (ssm, ssmmessages, ec2messages) in the private subnets: the
       * bastion works without a NAT. Each is billed per AZ-hour: ~0.013 USD, so ~57 USD/month for the 3 endpoints
       * in 2 AZs, more than a NAT gateway. @default false
       */
      ssm: z.boolean().default(false),
    })
    .prefault({}),
  flowLogs: z
    .strictObject({
      /** VPC flow logs to CloudWatch Logs. @default true */
      enabled: z.boolean().default(true),
      /** Days the flow log group keeps its records. @default 30 */
      retentionDays: logRetentionSchema.default(NETWORK_DEFAULTS.flowLogRetentionDays),
      /** Which traffic the flow logs record: accepted, rejected or both. @default ALL */
      trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default("ALL"),
    })
    .prefault({}),
  bastion: z
    .strictObject({
      /**
       * A bastion host reached through SSM Session Manager, in a private subnet with no public address (one only
       * with `sshIngressCidrs`). @default true
       */
      enabled: z.boolean().default(true),
      /** Instance type of the bastion (Graviton types get the arm64 image). @default t3.micro */
      instanceType: instanceTypeSchema.default(NETWORK_DEFAULTS.bastionInstanceType),
      /** Source ranges allowed to SSH to the bastion (port 22), e.g. `[203.0.113.10/32]`; needs `keyPairName`. @default [] - no SSH; use SSM */
      sshIngressCidrs: cidrListSchema("network.bastion.sshIngressCidrs").default([]),
      /** Must be true to list 0.0.0.0/0 in `sshIngressCidrs`: SSH open to the whole internet. @default false */
      allowSshFromInternet: z.boolean().default(false),
      /** An existing EC2 key pair, only for SSH. @default - none */
      keyPairName: z.string().min(1).max(255).optional(),
    })
    .prefault({}),
});

export type NetworkSettings = z.output<typeof networkSettings>;
