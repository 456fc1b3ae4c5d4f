import { z } from "zod";
import { logRetentionSchema } from "../../lib/aws/ec2";

export const CICD_DEFAULTS = {
  sourceProvider: "s3",
  branch: "main",
  sourceObjectKey: "source/app.zip",
  artifactExpirationDays: 30,
  buildComputeType: "BUILD_GENERAL1_SMALL",
  buildImage: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
  /** The default for a Graviton (arm64) Docker host: images must match the host's architecture. */
  armBuildImage: "aws/codebuild/amazonlinux-aarch64-standard:3.0",
  buildTimeoutMinutes: 20,
  logRetentionDays: 14,
  sourceAccessLogRetentionDays: 90,
} as const;

/** `owner/repo` as GitHub spells it. */
const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** Git branch names without spaces, `..`, `~^:?*[\` or a leading/trailing slash. */
const BRANCH = /^(?!\/)(?!.*\/$)(?!.*\.\.)(?!.*\/\/)[^\s~^:?*[\\]+$/;
/** S3 bucket names: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_NAME_EXPECTED = "an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit";

export const cicdSettings = z.strictObject({
  source: z
    .strictObject({
      /** github (through an AWS CodeStar connection you approve once in the console) or s3 (upload a zip; no GitHub needed). @default s3 */
      provider: z.enum(["github", "s3"]).default(CICD_DEFAULTS.sourceProvider),
      /** `owner/repo` of your app on GitHub; needed for provider github and for githubActions. @default - none */
      repository: z.string().regex(GITHUB_REPOSITORY, "a GitHub repository as owner/repo, such as octocat/hello-docker").optional(),
      /** The branch that deploys. @default main */
      branch: z.string().regex(BRANCH, "a git branch name such as main (no spaces, '..', '~', '^', ':', '?', '*', '[')").max(255).default(CICD_DEFAULTS.branch),
      /** For provider s3: the key of the zip the pipeline watches in the source bucket. @default source/app.zip */
      objectKey: z.string().max(256).regex(/^[\w!.*'()/-]+\.zip$/, "an S3 object key ending in .zip, such as source/app.zip").default(CICD_DEFAULTS.sourceObjectKey),
      /**
       * For provider s3: every request to the source bucket (who uploaded which zip, from where) is kept
       * as S3 server access logs in a bucket of their own for this many days; an upload deploys code,
       * so it should leave a record. @default 90
       */
      accessLogRetentionDays: z.number().int().min(1).max(3650).default(CICD_DEFAULTS.sourceAccessLogRetentionDays),
    })
    .prefault({}),
  artifacts: z
    .strictObject({
      /** Name of the artifact bucket (globally unique). @default - `<project>-<environment>-artifacts-<region>` */
      bucketName: z.string().regex(BUCKET_NAME, BUCKET_NAME_EXPECTED).optional(),
      /** Name of the source bucket, for source.provider s3 (globally unique). @default - `<project>-<environment>-source-<region>` */
      sourceBucketName: z.string().regex(BUCKET_NAME, BUCKET_NAME_EXPECTED).optional(),
      /** AES256 (S3-managed keys) or KMS (a customer-managed key shared by the pipeline, CodeBuild and the host). @default AES256 */
      encryption: z.enum(["AES256", "KMS"]).default("AES256"),
      /** Pipeline artifacts (and old versions) are deleted after this many days. @default 30 */
      expirationDays: z.number().int().min(1).max(3650).default(CICD_DEFAULTS.artifactExpirationDays),
    })
    .prefault({}),
  build: z
    .strictObject({
      /** Size of the CodeBuild machine that builds the image. @default BUILD_GENERAL1_SMALL */
      computeType: z.enum(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"]).default(CICD_DEFAULTS.buildComputeType),
      /**
       * A CodeBuild-managed image; it must match the Docker host's architecture (aarch64 images build for a
       * Graviton host), which synth checks.
       * @default - `aws/codebuild/amazonlinux-x86_64-standard:5.0`, or `amazonlinux-aarch64-standard:3.0` when the Docker host is Graviton (e.g. `t4g.micro`)
       */
      image: z.string().regex(/^aws\/codebuild\/[a-z0-9._/-]+:[\w.-]+$/, "a CodeBuild-managed image such as aws/codebuild/amazonlinux-x86_64-standard:5.0").optional(),
      /** A build that runs longer than this is stopped and fails. @default 20 */
      timeoutMinutes: z.number().int().min(5).max(480).default(CICD_DEFAULTS.buildTimeoutMinutes),
      /** Directory of the Dockerfile inside your repository (synth writes the sample app there). @default . */
      dockerContext: z
        .string()
        .regex(/^(\.|[\w.-]+(\/[\w.-]+)*)$/, "a relative directory such as . or app")
        .refine((dir) => dir === "." || !dir.split("/").some((part) => part === "." || part === ".."), "a directory inside your repository such as . or app (no . or .. in the path)")
        // Synth writes these files at the root: the context cannot be one of them.
        .refine((dir) => !/^(appspec\.yml|buildspec\.yml|scripts\/[^/]+\.sh)(\/|$)/.test(dir), "a directory, not one of the files synth writes (appspec.yml, buildspec.yml, scripts/*.sh)")
        .default("."),
      /** Days the build log group keeps its events. @default 14 */
      logRetentionDays: logRetentionSchema.default(CICD_DEFAULTS.logRetentionDays),
    })
    .prefault({}),
  githubActions: z
    .strictObject({
      /** A GitHub OIDC provider, a role only your repository's branch can assume, and a generated workflow; needs `source.repository`. @default false */
      enabled: z.boolean().default(false),
      /** An AWS account holds one provider per URL: set false when yours already has token.actions.githubusercontent.com. @default true */
      createOidcProvider: z.boolean().default(true),
    })
    .prefault({}),
});

export type CicdSettings = z.output<typeof cicdSettings>;
