import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { StudyEnvironment } from "./module";

/**
 * Local state lives at the project root, beside cdktf.json, not inside out/: a re-synth replaces
 * out/, and a learner's state must survive it. The path is relative (to the stack directory that
 * Terraform runs in) so the generated JSON carries no machine paths.
 */
export function localStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.tfstate`;
}

export interface AwsStackProps {
  readonly region: string;
  readonly environment: StudyEnvironment;
}

/** The environment's AWS stack: every AWS-side resource of every enabled week. */
export class AwsStudyStack extends TerraformStack {
  constructor(scope: Construct, name: string, props: AwsStackProps) {
    super(scope, name);
    new LocalBackend(this, { path: localStatePath(name) });
    new AwsProvider(this, "aws", {
      region: props.region,
      defaultTags: [{ tags: { ...props.environment.tags } }],
    });
  }
}
