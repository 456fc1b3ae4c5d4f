/**
 * A customer-managed KMS key that AWS services may use for what they publish (an SNS topic EventBridge
 * or AWS Budgets write to: neither can use the AWS-managed SNS key). Rotation on; the account
 * administers it; each service may only make and read data keys, for this account.
 */
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { Fn } from "cdktf";
import type { Construct } from "constructs";

export interface ServiceKeyProps {
  readonly description: string;
  /** The alias, without `alias/`. */
  readonly alias: string;
  /** Service principals that publish with the key, e.g. `events.amazonaws.com`. */
  readonly services: readonly string[];
}

/** The key, and the account id read from its ARN at apply (no aws_caller_identity: plans stay offline). */
export function serviceKey(scope: Construct, id: string, props: ServiceKeyProps): { key: KmsKey; account: string } {
  const key = new KmsKey(scope, id, { description: props.description, enableKeyRotation: true, deletionWindowInDays: 7 });
  const account = Fn.element(Fn.split(":", key.arn), 4) as string;
  new KmsKeyPolicy(scope, `${id}-policy`, {
    keyId: key.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
        ...props.services.map((service) => ({
          Sid: `${service.split(".")[0].replace(/^\w/, (c) => c.toUpperCase())}Publishes`,
          Effect: "Allow",
          Principal: { Service: service },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": account } },
        })),
      ],
    }),
  });
  new KmsAlias(scope, `${id}-alias`, { name: `alias/${props.alias}`, targetKeyId: key.keyId });
  return { key, account };
}
