/** Reading ARNs in Terraform expressions, so that nothing needs an AWS call at plan time. */
import { Fn } from "cdktf";

/** The account id at apply time, from the ARN of a resource in this stack (no aws_caller_identity: plans stay offline). */
export function accountIdFrom(arn: string): string {
  return Fn.element(Fn.split(":", arn), 4) as string;
}
