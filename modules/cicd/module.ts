/**
 * The cicd module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import { type ConfigProblem, nameLengthProblems } from "../../lib/core/errors";
import { defineModule } from "../../lib/core/module";
import { architectureOf } from "../../lib/aws/ec2";
import { dockerHostModule } from "../docker-host/module";
import { cicdSettings, type CicdSettings } from "./settings";
import type { CicdExports } from "./exports";

export const cicdModule = defineModule<CicdSettings, CicdExports>({
  id: "cicd",
  week: 3,
  title: { ko: "CodePipeline으로 빌드와 배포 자동화", en: "Build and deploy automation with CodePipeline" },
  requires: ["dockerHost"],
  settings: cicdSettings,
  validate(settings, study, environment, selection) {
    const problems: ConfigProblem[] = [];
    if (study.classroom) {
      // In tag isolation every learner's stack is in the same account: what an account holds once cannot be in
      // each (with isolation account each learner has an account, and its own provider). A global name never can.
      const oneAccount = study.classroom.isolation === "tag";
      if (oneAccount && settings.githubActions.enabled && settings.githubActions.createOidcProvider) {
        problems.push({
          field: "cicd.githubActions.createOidcProvider",
          value: true,
          expected: "false in classroom mode with isolation tag: an account holds one GitHub OIDC provider (token.actions.githubusercontent.com) and every learner's stack would create it; create it once (aws iam create-open-id-connect-provider, or a single-learner config) and the learners' roles use it",
        });
      }
      for (const field of ["bucketName", "sourceBucketName"] as const) {
        if (settings.artifacts[field]) {
          problems.push({ field: `cicd.artifacts.${field}`, value: settings.artifacts[field], expected: "no fixed name in classroom mode: S3 bucket names are global, so every learner's stack would ask for the same bucket; the derived <project>-<learner>-... names differ per learner" });
        }
      }
    }
    const hostType = selection.settingsOf(dockerHostModule).instanceType;
    const build = settings.build.image;
    if (build && (build.includes("aarch64") ? "arm64" : "x86_64") !== architectureOf(hostType)) {
      problems.push({
        field: "cicd.build.image",
        value: build,
        expected: `a build image of the Docker host's architecture: dockerHost.instanceType ${hostType} is ${architectureOf(hostType)}, so an image built there would not start on it (${architectureOf(hostType) === "arm64" ? "an aarch64 image such as aws/codebuild/amazonlinux-aarch64-standard:3.0" : "an x86_64 image such as aws/codebuild/amazonlinux-x86_64-standard:5.0"}), or leave it out`,
      });
    }
    // EventBridge rule names stop at 64 characters: <project>-<environment>-source-uploaded.
    problems.push(...nameLengthProblems(study, "the name", `${environment.name}-source-uploaded`));
    if (settings.source.provider === "github" && !settings.source.repository) {
      problems.push({ field: "cicd.source.repository", value: undefined, expected: "owner/repo of your GitHub repository when cicd.source.provider is github" });
    }
    if (settings.githubActions.enabled && !settings.source.repository) {
      problems.push({ field: "cicd.source.repository", value: undefined, expected: "owner/repo of your GitHub repository when cicd.githubActions.enabled is true (the role trusts only that repository)" });
    }
    const buckets: [string, string | undefined, string][] = [
      ["cicd.artifacts.bucketName", settings.artifacts.bucketName, "artifacts"],
      ...(settings.source.provider === "s3" ? [["cicd.artifacts.sourceBucketName", settings.artifacts.sourceBucketName, "source"] as [string, string | undefined, string]] : []),
    ];
    for (const [field, configured, suffix] of buckets) {
      const derived = derivedBucketName(environment.name, suffix, study.region);
      if (!configured && derived.length > 63) {
        problems.push({ field, value: undefined, expected: `a bucket name of at most 63 characters: the derived name ${derived} has ${derived.length} (shorten project/environment or name the bucket)` });
      }
    }
    return problems;
  },
  build: (ctx) => (require("./build") as typeof import("./build")).buildCicd(ctx),
});

/** `<project>-<environment>-<suffix>-<region>`, unless the config names the bucket. */
export function derivedBucketName(environmentName: string, suffix: string, region: string): string {
  return `${environmentName}-${suffix}-${region}`;
}
