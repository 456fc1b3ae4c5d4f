/**
 * Week 3: build and deploy automation. CodePipeline (V2) takes the source from GitHub (through a
 * CodeStar connection) or from a zip uploaded to S3, CodeBuild builds the image and pushes it to the
 * week-2 ECR repository, and CodeDeploy rolls it out to the Docker host found by its Name tag. As an
 * option, GitHub Actions does the same with OIDC credentials and a generated workflow.
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { Codepipeline, type CodepipelineStage, type CodepipelineStageAction } from "@cdktf/provider-aws/lib/codepipeline";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { Fn } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { BuildContext, DiagramExternal } from "../../lib/core/module";
import { literalText } from "../../lib/core/terraform-text";
import { shellWord } from "../../lib/core/shell";
import { dockerHostModule } from "../docker-host/module";
import type { CicdExports } from "./exports";
import { appspec, buildspec, codeDeployAgentScript, githubWorkflow, hookScripts, sampleAppFiles } from "./generated-files";
import { sampleAppSteps, type SampleAppSource } from "./runbook";
import { SecureBucket } from "./secure-bucket";
import { CICD_DEFAULTS, type CicdSettings } from "./settings";

export {
  appspec,
  buildspec,
  githubWorkflow,
  hookScripts,
  codeDeployAgentScript,
  sampleAppFiles,
  healthLocation,
  DEPLOY_DIRECTORY,
  SAMPLE_APP_BASE_IMAGE,
  SAMPLE_APP_TITLE,
  SAMPLE_APP_USER,
  SAMPLE_APP_WEB_ROOT,
} from "./generated-files";

const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
const GITHUB: DiagramExternal = { external: "diagram.github", within: "outside" };
const POLICY_VERSION = "2012-10-17";

import { derivedBucketName } from "./module";

export function buildCicd(ctx: BuildContext<CicdSettings>): CicdExports {
  const { scope, settings } = ctx;
  const dockerHost = ctx.use(dockerHostModule);
  const region = ctx.study.region;

  // ---- artifacts ---------------------------------------------------------------------------
  const artifactKey = settings.artifacts.encryption === "KMS" ? buildArtifactKey(ctx) : undefined;
  const artifactBucketName = settings.artifacts.bucketName ?? derivedBucketName(ctx.environment.name, "artifacts", region);
  const artifacts = new SecureBucket(scope, "artifact-bucket", {
    bucketName: artifactBucketName,
    kmsKeyArn: artifactKey?.arn,
    expireAfterDays: settings.artifacts.expirationDays,
    noncurrentExpireAfterDays: settings.artifacts.expirationDays,
  });
  const artifactBucket = artifacts.bucket;
  const kmsUse = (actions: string[]) => (artifactKey ? [{ Sid: "UseArtifactKey", Effect: "Allow", Action: actions, Resource: artifactKey.arn }] : []);

  // ---- build -------------------------------------------------------------------------------
  const projectName = ctx.name("build");
  const buildLogs = new CloudwatchLogGroup(scope, "build-log-group", { name: `/aws/codebuild/${projectName}`, retentionInDays: settings.build.logRetentionDays });
  const buildRole = serviceRole(scope, "build-role", ctx.name("codebuild"), "codebuild.amazonaws.com");
  const repositoryArn = dockerHost.repository.arn;
  new IamRolePolicy(scope, "build-policy", {
    name: "build-and-push-the-app-image",
    role: buildRole.id,
    policy: policy([
      { Sid: "WriteBuildLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [buildLogs.arn, `${buildLogs.arn}:*`] },
      { Sid: "PipelineArtifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], Resource: `${artifactBucket.arn}/*` },
      { Sid: "ArtifactBucket", Effect: "Allow", Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"], Resource: artifactBucket.arn },
      {
        Sid: "PushAppImage",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"],
        Resource: repositoryArn,
      },
      // GetAuthorizationToken has no resource-level permissions: AWS accepts only "*" for it.
      { Sid: "LogInToEcr", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      ...kmsUse(["kms:Decrypt", "kms:GenerateDataKey*"]),
    ]),
  });
  // The image must run on the host: a Graviton host gets an arm64 build unless the config names an image.
  const buildImage = settings.build.image ?? (dockerHost.architecture === "arm64" ? CICD_DEFAULTS.armBuildImage : CICD_DEFAULTS.buildImage);
  const buildProject = new CodebuildProject(scope, "build", {
    name: projectName,
    description: `Builds the app image and pushes it to ${dockerHost.repository.name}`,
    serviceRole: buildRole.arn,
    buildTimeout: settings.build.timeoutMinutes,
    concurrentBuildLimit: 1,
    encryptionKey: artifactKey?.arn,
    artifacts: { type: "CODEPIPELINE" },
    source: { type: "CODEPIPELINE", buildspec: literalText(buildspec()) },
    environment: {
      type: buildImage.includes("aarch64") ? "ARM_CONTAINER" : "LINUX_CONTAINER",
      computeType: settings.build.computeType,
      image: buildImage,
      imagePullCredentialsType: "CODEBUILD",
      // Privileged: `docker build` needs the Docker daemon inside the build container, and CodeBuild runs
      // that daemon only in privileged mode (builders without a daemon, such as Kaniko or Buildah, need
      // tooling and images of their own). It is confined rather than avoided: the project starts only
      // from this pipeline (no webhook, no pull requests from forks), runs outside the VPC (nothing private
      // in reach), one build at a time, within buildTimeout, and its role can only push to this week's
      // ECR repository, write its own log group and read and write the pipeline's artifacts.
      privilegedMode: true,
      environmentVariable: [
        { name: "REPOSITORY_URI", value: dockerHost.repository.repositoryUrl },
        { name: "DOCKER_CONTEXT", value: settings.build.dockerContext },
      ],
    },
    logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: buildLogs.name } },
  });

  // ---- deploy ------------------------------------------------------------------------------
  const application = new CodedeployApp(scope, "deploy-app", { name: ctx.name("app"), computePlatform: "Server" });
  const deployRole = serviceRole(scope, "deploy-role", ctx.name("codedeploy"), "codedeploy.amazonaws.com");
  // AWS's own policy for CodeDeploy on EC2 (describe instances and tags to find the targets).
  new IamRolePolicyAttachment(scope, "deploy-role-policy", { role: deployRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole" });
  // With blue/green on week 2, deployments go to the idle color: CodeDeploy takes it out of its target
  // group, installs, and succeeds only once the load balancer sees it healthy again. The live color is
  // never touched; switching dockerHost.blueGreen.live afterwards moves traffic and this target with it.
  const { deployTarget } = dockerHost;
  const deploymentGroup = new CodedeployDeploymentGroup(scope, "deploy-group", {
    appName: application.name,
    deploymentGroupName: dockerHost.deploymentGroupName,
    serviceRoleArn: deployRole.arn,
    deploymentConfigName: "CodeDeployDefault.AllAtOnce",
    deploymentStyle: { deploymentType: "IN_PLACE", deploymentOption: deployTarget.targetGroupName ? "WITH_TRAFFIC_CONTROL" : "WITHOUT_TRAFFIC_CONTROL" },
    loadBalancerInfo: deployTarget.targetGroupName ? { targetGroupInfo: [{ name: deployTarget.targetGroupName }] } : undefined,
    ec2TagSet: [{ ec2TagFilter: [{ key: "Name", type: "KEY_AND_VALUE", value: deployTarget.hostName }] }],
    autoRollbackConfiguration: { enabled: true, events: ["DEPLOYMENT_FAILURE"] },
  });
  const account = accountIdFrom(deployRole.arn);
  const deploymentGroupArn = `arn:aws:codedeploy:${region}:${account}:deploymentgroup:${application.name}/${deploymentGroup.deploymentGroupName}`;
  const deploymentConfigArn = `arn:aws:codedeploy:${region}:${account}:deploymentconfig:CodeDeployDefault.AllAtOnce`;
  const deployStatements = [
    { Sid: "Deploy", Effect: "Allow", Action: ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"], Resource: deploymentGroupArn },
    { Sid: "Revisions", Effect: "Allow", Action: ["codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"], Resource: application.arn },
    { Sid: "DeploymentConfig", Effect: "Allow", Action: "codedeploy:GetDeploymentConfig", Resource: deploymentConfigArn },
  ];

  // Every host (both colors with blue/green): the CodeDeploy agent, and read access to the revisions it downloads.
  for (const { host, color } of dockerHost.hosts) {
    host.runScript(scope, color ? `codedeploy-agent-${color}` : "codedeploy-agent", { name: "codedeploy-agent", title: "CodeDeploy agent (week 3)", script: codeDeployAgentScript(region) });
    new IamRolePolicy(scope, color ? `host-read-revisions-${color}` : "host-read-revisions", {
      name: "read-deployment-revisions",
      role: host.role.id,
      policy: policy([
        { Sid: "ReadRevisions", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${artifactBucket.arn}/*` },
        ...kmsUse(["kms:Decrypt"]),
      ]),
    });
  }

  // ---- pipeline ----------------------------------------------------------------------------
  const pipelineName = ctx.name("pipeline");
  const pipelineRole = serviceRole(scope, "pipeline-role", ctx.name("codepipeline"), "codepipeline.amazonaws.com");
  const source = buildSource(ctx, artifactKey?.arn, account);
  new IamRolePolicy(scope, "pipeline-policy", {
    name: "run-source-build-deploy",
    role: pipelineRole.id,
    policy: policy([
      { Sid: "PipelineArtifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], Resource: `${artifactBucket.arn}/*` },
      { Sid: "ArtifactBucket", Effect: "Allow", Action: ["s3:GetBucketVersioning", "s3:GetBucketLocation"], Resource: artifactBucket.arn },
      ...source.statements,
      { Sid: "Build", Effect: "Allow", Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"], Resource: buildProject.arn },
      ...deployStatements,
      ...kmsUse(["kms:Decrypt", "kms:GenerateDataKey*"]),
    ]),
  });
  const stages: CodepipelineStage[] = [
    { name: "Source", action: [{ ...source.action, name: "Source", category: "Source", outputArtifacts: ["source"] }] },
    {
      name: "Build",
      action: [{ name: "Build", category: "Build", owner: "AWS", provider: "CodeBuild", version: "1", inputArtifacts: ["source"], outputArtifacts: ["bundle"], configuration: { ProjectName: buildProject.name } }],
    },
    {
      name: "Deploy",
      action: [
        {
          name: "Deploy",
          category: "Deploy",
          owner: "AWS",
          provider: "CodeDeploy",
          version: "1",
          inputArtifacts: ["bundle"],
          configuration: { ApplicationName: application.name, DeploymentGroupName: deploymentGroup.deploymentGroupName },
        },
      ],
    },
  ];
  const pipeline = new Codepipeline(scope, "pipeline", {
    name: pipelineName,
    pipelineType: "V2",
    executionMode: "QUEUED",
    roleArn: pipelineRole.arn,
    artifactStore: [{ type: "S3", location: artifactBucket.bucket, encryptionKey: artifactKey ? { id: artifactKey.arn, type: "KMS" } : undefined }],
    stage: stages,
    dependsOn: [artifacts.publicAccessBlock],
  });
  source.afterPipeline?.(pipeline);

  // ---- diagram -------------------------------------------------------------------------------
  // From the source to the host: the pipeline's stages, the image through ECR, the deployment. ECR and
  // the host are week 2's; the host is the one CodeDeploy deploys to (with blue/green, the idle color).
  if (settings.source.provider === "github") {
    ctx.diagramFlow({ from: { actor: "learner" }, to: GITHUB, label: "diagram.flow.gitPush", params: { branch: settings.source.branch } });
    ctx.diagramFlow({ from: GITHUB, to: source.origin, label: "diagram.flow.connection" });
  } else {
    ctx.diagramFlow({ from: { actor: "learner" }, to: source.origin, label: "diagram.flow.upload", params: { key: settings.source.objectKey } });
  }
  ctx.diagramFlow({ from: source.origin, to: pipeline, label: "diagram.flow.sourceStage" });
  ctx.diagramFlow({ from: pipeline, to: buildProject, label: "diagram.flow.buildStage" });
  ctx.diagramFlow({ from: buildProject, to: dockerHost.repository, label: "diagram.flow.imagePush" });
  ctx.diagramFlow({ from: pipeline, to: application, label: "diagram.flow.deployStage" });
  const deployedHost = dockerHost.hosts.find((h) => h.name === deployTarget.hostName)?.host;
  if (deployedHost) {
    ctx.diagramFlow({ from: application, to: deployedHost, label: "diagram.flow.deploy" });
    ctx.diagramFlow({ from: dockerHost.repository, to: deployedHost, label: "diagram.flow.imagePull" });
  }

  // ---- GitHub Actions ----------------------------------------------------------------------
  const githubActionsRole = settings.githubActions.enabled ? buildGithubActions(ctx, { repositoryArn, artifactBucketArn: artifactBucket.arn, deployStatements, kmsUse, account }) : undefined;

  // ---- generated files -----------------------------------------------------------------------
  const dir = `cicd/${ctx.environment.name}`;
  const written: string[] = [];
  const write = (path: string, content: string, options?: { executable?: boolean }) => {
    ctx.writeFile(`${dir}/${path}`, content, options);
    written.push(path);
  };
  write("buildspec.yml", buildspec());
  write("appspec.yml", appspec());
  const scripts = hookScripts({ appService: dockerHost.appService, appEnvFile: dockerHost.appEnvFile, hostPort: dockerHost.hostPort, healthCheckPath: dockerHost.healthCheckPath });
  for (const [name, content] of Object.entries(scripts)) write(`scripts/${name}`, content, { executable: true });
  // The sample app sits in the Docker context, its Dockerfile where the buildspec's `docker build` looks.
  const context = settings.build.dockerContext === "." ? "" : `${settings.build.dockerContext}/`;
  const sampleApp = sampleAppFiles({
    environmentName: ctx.environment.name,
    containerPort: dockerHost.containerPort,
    healthCheckPath: dockerHost.healthCheckPath,
    languages: [...new Set(ctx.study.runbooks.languages)],
  });
  for (const [name, content] of Object.entries(sampleApp)) write(`${context}${name}`, content);
  if (githubActionsRole) {
    write(
      ".github/workflows/deploy.yml",
      githubWorkflow({
        environmentName: ctx.environment.name,
        region,
        branch: settings.source.branch,
        repositoryName: ctx.name("app"),
        artifactBucket: artifactBucketName,
        applicationName: ctx.name("app"),
        deploymentGroupName: dockerHost.deploymentGroupName,
        dockerContext: settings.build.dockerContext,
        arm64: dockerHost.architecture === "arm64",
      }),
    );
  }

  // ---- runbook -------------------------------------------------------------------------------
  const blueGreen = dockerHost.blueGreen;
  const steps = sampleAppSteps({
    region,
    environmentName: ctx.environment.name,
    folder: dir,
    topLevel: [...new Set(written.map((path) => path.split("/")[0]))].sort(),
    source: source.runbook,
    pipelineName,
    hostPort: dockerHost.hostPort,
    healthCheckPath: dockerHost.healthCheckPath,
    reach: !dockerHost.loadBalancer
      ? { kind: "portForward" }
      : blueGreen
        ? { kind: "testListener", color: blueGreen.idle, testPort: ctx.settingsOf(dockerHostModule).blueGreen.testPort }
        : { kind: "loadBalancer" },
  });
  for (const step of steps) ctx.step(step);

  // ---- outputs -------------------------------------------------------------------------------
  ctx.output("pipeline_name", pipeline.name, "Name of the CodePipeline that builds and deploys the app");
  ctx.output("pipeline_console_url", `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipelineName}/view?region=${region}`, "The pipeline in the AWS console");
  ctx.output("artifact_bucket_name", artifactBucket.bucket, "S3 bucket holding pipeline artifacts and deployment bundles");
  ctx.output("codedeploy_application_name", application.name, "CodeDeploy application of the Docker host");
  for (const [name, value, description] of source.outputs) ctx.output(name, value, description);
  if (githubActionsRole) ctx.output("github_actions_role_arn", githubActionsRole.arn, "Set it as the AWS_ROLE_ARN variable of your GitHub repository");

  return {
    pipeline,
    pipelineName,
    pipelineArn: pipeline.arn,
    artifactBucketName,
    buildProject,
    application,
    deploymentGroup,
    githubActionsRole,
  };
}

/** Where the source bucket's access logs land in their bucket. */
const SOURCE_ACCESS_LOG_PREFIX = "source-bucket/";

/** The account id at apply time, from an ARN in this stack (no aws_caller_identity: plans stay offline). */
function accountIdFrom(arn: string): string {
  return Fn.element(Fn.split(":", arn), 4) as string;
}

function policy(statements: object[]): string {
  return JSON.stringify({ Version: POLICY_VERSION, Statement: statements });
}

function serviceRole(scope: Construct, id: string, name: string, service: string): IamRole {
  return new IamRole(scope, id, {
    name,
    assumeRolePolicy: policy([{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }]),
  });
}

function buildArtifactKey(ctx: BuildContext<CicdSettings>): KmsKey {
  // The default key policy lets the account's IAM policies grant use: each role below gets only
  // the actions it needs, on this key only.
  const key = new KmsKey(ctx.scope, "artifact-key", {
    description: `${ctx.environment.name} pipeline artifacts`,
    enableKeyRotation: true,
    deletionWindowInDays: 7,
    tags: { Name: ctx.name("artifacts") },
  });
  new KmsAlias(ctx.scope, "artifact-key-alias", { name: `alias/${ctx.name("artifacts")}`, targetKeyId: key.keyId });
  return key;
}

interface PipelineSource {
  readonly action: Omit<CodepipelineStageAction, "name" | "category" | "outputArtifacts">;
  /** Where the runbook's steps put the sample app for this source. */
  readonly runbook: SampleAppSource;
  readonly statements: object[];
  readonly outputs: [string, string, string][];
  /** What the diagram draws as the source: the GitHub connection or the source bucket. */
  readonly origin: IConstruct;
  afterPipeline?(pipeline: Codepipeline): void;
}

function buildSource(ctx: BuildContext<CicdSettings>, kmsKeyArn: string | undefined, account: string): PipelineSource {
  const { scope, settings } = ctx;
  const { source } = settings;
  if (source.provider === "github") {
    // Created PENDING: a person approves it once in the console (Developer Tools > Connections).
    const connectionName = ctx.name("github").slice(0, 32).replace(/-+$/, "");
    const connection = new CodestarconnectionsConnection(scope, "github-connection", { name: connectionName, providerType: "GitHub" });
    return {
      runbook: { kind: "github", connectionName, repository: source.repository!, branch: source.branch },
      action: {
        owner: "AWS",
        provider: "CodeStarSourceConnection",
        version: "1",
        configuration: { ConnectionArn: connection.arn, FullRepositoryId: source.repository!, BranchName: literalText(source.branch), OutputArtifactFormat: "CODE_ZIP", DetectChanges: "true" },
      },
      origin: connection,
      statements: [{ Sid: "UseGithubConnection", Effect: "Allow", Action: "codestar-connections:UseConnection", Resource: connection.arn }],
      outputs: [["github_connection_arn", connection.arn, "The GitHub connection: approve it once in the console (Developer Tools > Settings > Connections) before the first run"]],
    };
  }

  const region = ctx.study.region;
  const bucketName = settings.artifacts.sourceBucketName ?? derivedBucketName(ctx.environment.name, "source", region);
  // An upload deploys code: every request is logged (who, from where, which key), in a bucket of its own
  // with SSE-S3, the only default encryption S3's log delivery writes into.
  const accessLogBucketName = settings.artifacts.sourceBucketName ? `${settings.artifacts.sourceBucketName.slice(0, 58)}-logs` : derivedBucketName(ctx.environment.name, "source-logs", region);
  const sourceBucketArn = `arn:aws:s3:::${bucketName}`;
  const accessLogs = new SecureBucket(scope, "source-access-logs", {
    bucketName: accessLogBucketName,
    expireAfterDays: source.accessLogRetentionDays,
    noncurrentExpireAfterDays: 1,
    receivesAccessLogsOf: { sourceBucketArn, account, prefix: SOURCE_ACCESS_LOG_PREFIX },
  });
  const sourceBucket = new SecureBucket(scope, "source-bucket", {
    bucketName,
    kmsKeyArn,
    noncurrentExpireAfterDays: settings.artifacts.expirationDays,
    accessLogsTo: { bucket: accessLogs, prefix: SOURCE_ACCESS_LOG_PREFIX },
  });
  // S3 sends "Object Created" events to EventBridge, which starts the pipeline: no polling.
  new S3BucketNotification(scope, "source-bucket-events", { bucket: sourceBucket.bucket.id, eventbridge: true });
  return {
    runbook: { kind: "s3", bucketName, objectKey: source.objectKey },
    action: {
      owner: "AWS",
      provider: "S3",
      version: "1",
      configuration: { S3Bucket: sourceBucket.bucket.bucket, S3ObjectKey: source.objectKey, PollForSourceChanges: "false" },
    },
    origin: sourceBucket.bucket,
    statements: [
      { Sid: "ReadSourceZip", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${sourceBucket.bucket.arn}/${source.objectKey}` },
      { Sid: "SourceBucket", Effect: "Allow", Action: ["s3:GetBucketVersioning", "s3:GetBucketLocation"], Resource: sourceBucket.bucket.arn },
    ],
    outputs: [
      ["source_bucket_name", sourceBucket.bucket.bucket, "Upload your app as a zip here to start the pipeline"],
      [
        "source_upload_command",
        `(cd path/to/your-app && rm -f /tmp/app.zip && zip -qr /tmp/app.zip . -x '.git/*') && aws s3 cp /tmp/app.zip ${shellWord(`s3://${bucketName}/${source.objectKey}`)} --region ${shellWord(region)}`,
        "Zips your app (Dockerfile, appspec.yml, scripts/; write its folder in place of path/to/your-app) and uploads it: the upload starts the pipeline",
      ],
      ["source_access_logs_bucket", accessLogs.bucket.bucket, `S3 server access logs of the source bucket (kept ${source.accessLogRetentionDays} days): who uploaded what, from where`],
      [
        "source_uploads_command",
        // S3 delivers access logs within a few hours. Fields: time ($3 $4), remote IP ($5), requester ($6), operation ($8), key ($9).
        `aws s3 sync ${shellWord(`s3://${accessLogBucketName}/${SOURCE_ACCESS_LOG_PREFIX}`)} /tmp/source-access-logs --region ${shellWord(region)} && grep -h ' REST.PUT.OBJECT ' /tmp/source-access-logs/* | awk '{print $3, $4, $5, $6, $9}'`,
        "Lists every upload to the source bucket: time, IP address, who (the IAM identity's ARN) and the key; the logs arrive within a few hours",
      ],
    ],
    afterPipeline(pipeline) {
      const rule = new CloudwatchEventRule(scope, "source-uploaded-rule", {
        name: ctx.name("source-uploaded"),
        description: `Starts ${pipeline.name} when s3://${bucketName}/${source.objectKey} changes`,
        eventPattern: JSON.stringify({
          source: ["aws.s3"],
          "detail-type": ["Object Created"],
          detail: { bucket: { name: [bucketName] }, object: { key: [source.objectKey] } },
        }),
      });
      const role = serviceRole(scope, "source-uploaded-role", ctx.name("start-pipeline"), "events.amazonaws.com");
      new IamRolePolicy(scope, "source-uploaded-policy", {
        name: "start-the-pipeline",
        role: role.id,
        policy: policy([{ Sid: "StartPipeline", Effect: "Allow", Action: "codepipeline:StartPipelineExecution", Resource: pipeline.arn }]),
      });
      new CloudwatchEventTarget(scope, "source-uploaded-target", { rule: rule.name, targetId: "pipeline", arn: pipeline.arn, roleArn: role.arn });
    },
  };
}

interface GithubActionsProps {
  readonly repositoryArn: string;
  readonly artifactBucketArn: string;
  readonly deployStatements: object[];
  readonly kmsUse: (actions: string[]) => object[];
  readonly account: string;
}

function buildGithubActions(ctx: BuildContext<CicdSettings>, props: GithubActionsProps): IamRole {
  const { scope, settings } = ctx;
  const providerArn = settings.githubActions.createOidcProvider
    ? new IamOpenidConnectProvider(scope, "github-oidc", { url: `https://${GITHUB_OIDC_HOST}`, clientIdList: ["sts.amazonaws.com"], tags: { Name: "github-actions" } }).arn
    : `arn:aws:iam::${props.account}:oidc-provider/${GITHUB_OIDC_HOST}`;
  const subject = `repo:${settings.source.repository}:ref:refs/heads/${settings.source.branch}`;
  const role = new IamRole(scope, "github-actions-role", {
    name: ctx.name("github-actions"),
    description: literalText(`Assumed by GitHub Actions in ${settings.source.repository} on ${settings.source.branch} only`),
    maxSessionDuration: 3600,
    assumeRolePolicy: policy([
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com", [`${GITHUB_OIDC_HOST}:sub`]: literalText(subject) } },
      },
    ]),
  });
  new IamRolePolicy(scope, "github-actions-policy", {
    name: "build-push-deploy",
    role: role.id,
    policy: policy([
      {
        Sid: "PushAppImage",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"],
        Resource: props.repositoryArn,
      },
      // GetAuthorizationToken has no resource-level permissions: AWS accepts only "*" for it.
      { Sid: "LogInToEcr", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      { Sid: "UploadBundles", Effect: "Allow", Action: "s3:PutObject", Resource: `${props.artifactBucketArn}/github-actions/*` },
      ...props.deployStatements,
      ...props.kmsUse(["kms:GenerateDataKey*"]),
    ]),
  });
  return role;
}
