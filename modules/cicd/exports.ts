/**
 * What week 3's pipeline offers the other weeks (`ctx.use(cicdModule)`): types only, so that the
 * registry entry (./module.ts) and other weeks name them without loading the build code (./build.ts).
 */
import type { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import type { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import type { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import type { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";

export interface CicdExports {
  readonly pipeline: Codepipeline;
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly artifactBucketName: string;
  readonly buildProject: CodebuildProject;
  readonly application: CodedeployApp;
  readonly deploymentGroup: CodedeployDeploymentGroup;
  /** The role GitHub Actions assumes, when githubActions is on. */
  readonly githubActionsRole?: IamRole;
}
