/**
 * Week 3's steps on the runbook page, after the apply: put the sample app where the pipeline's source
 * takes it from (the zip in the source bucket, or a push to GitHub once the connection is approved),
 * follow the run, and open the page the Docker host then serves. Wording is in strings.json
 * (`steps.*`); this file decides the order and fills in the real names.
 */
import type { RunbookCommand, RunbookStep } from "../../lib/core/module";
import { codeText as code } from "../../lib/runbooks/page-steps";
import { shellWord } from "../../lib/core/shell";
import { SAMPLE_APP_TITLE } from "./generated-files";

export type SampleAppSource =
  | { readonly kind: "s3"; readonly bucketName: string; readonly objectKey: string }
  | { readonly kind: "github"; readonly connectionName: string; readonly repository: string; readonly branch: string };

export interface SampleAppRunbook {
  readonly region: string;
  readonly environmentName: string;
  /** The generated folder, relative to out/: `cicd/<environment>`. */
  readonly folder: string;
  /** What synth wrote at the top of that folder (files and folders), for `git add`. */
  readonly topLevel: readonly string[];
  readonly source: SampleAppSource;
  readonly pipelineName: string;
  readonly hostPort: number;
  readonly healthCheckPath: string;
  /** How the page is reached: through the load balancer, its test listener (blue/green) or an SSM port forward. */
  readonly reach: { readonly kind: "loadBalancer" } | { readonly kind: "testListener"; readonly color: string; readonly testPort: number } | { readonly kind: "portForward" };
}

/** The port the page is forwarded to on the learner's computer, as week 2's port forward does. */
const LOCAL_PORT = 8080;

export function sampleAppSteps(app: SampleAppRunbook): RunbookStep[] {
  const region = `--region ${shellWord(app.region)}`;
  const folder = `out/${app.folder}`;
  const steps: RunbookStep[] = [];
  const step = (text: string, params: Record<string, string | number>, commands: RunbookCommand[]) => steps.push({ when: "after-apply", text, params, commands });

  if (app.source.kind === "s3") {
    const workdir = `../${app.environmentName}-app`;
    step("steps.sampleAppUpload", { folder: code(`${folder}/`), workdir: code(workdir) }, [
      [`mkdir -p ${shellWord(workdir)} && cp -R ${shellWord(`${folder}/.`)} ${shellWord(`${workdir}/`)}`],
      [`(cd ${shellWord(workdir)} && rm -f /tmp/app.zip && zip -qr /tmp/app.zip . -x '.git/*')`],
      [`aws s3 cp /tmp/app.zip ${shellWord(`s3://${app.source.bucketName}/${app.source.objectKey}`)} ${region}`],
    ]);
  } else {
    const { repository, branch, connectionName } = app.source;
    const workdir = `../${repository.split("/")[1]}`;
    step("steps.githubConnection", { connection: code(connectionName), repository: code(repository) }, [
      [`aws codestar-connections get-connection ${region} --connection-arn `, { output: "github_connection_arn" }, " --query Connection.ConnectionStatus --output text"],
    ]);
    const git = `git -C ${shellWord(workdir)}`;
    step("steps.sampleAppPush", { repository: code(repository), branch: code(branch), folder: code(`${folder}/`), workdir: code(workdir) }, [
      [`test -d ${shellWord(`${workdir}/.git`)} || git clone ${shellWord(`https://github.com/${repository}.git`)} ${shellWord(workdir)}`],
      [`cp -R ${shellWord(`${folder}/.`)} ${shellWord(`${workdir}/`)}`],
      [`${git} add -- ${app.topLevel.map(shellWord).join(" ")}`],
      [`${git} commit -m 'Sample app from devops-weeks'`],
      [`${git} push origin ${shellWord(`HEAD:${branch}`)}`],
    ]);
  }

  step("steps.pipelineRun", { pipeline: code(app.pipelineName) }, [
    [`aws codepipeline list-pipeline-executions ${region} --pipeline-name ${shellWord(app.pipelineName)} --max-items 1 --query 'pipelineExecutionSummaries[0].[status,trigger.triggerType]' --output text`],
  ]);

  const health = app.healthCheckPath === "/" ? undefined : shellWord(app.healthCheckPath);
  const params = { title: SAMPLE_APP_TITLE, path: code(app.healthCheckPath) };
  const pageCommands = (page: RunbookCommand, base: RunbookCommand): RunbookCommand[] => [page, ...(health ? [[...base, health]] : [])];
  const curl = "curl -fsS ";
  if (app.reach.kind === "loadBalancer") {
    step(health ? "steps.sampleAppPageHealth" : "steps.sampleAppPage", params, pageCommands([curl, { output: "app_url" }], [`${curl}http://`, { output: "load_balancer_dns_name" }]));
  } else if (app.reach.kind === "testListener") {
    const { color, testPort } = app.reach;
    step(health ? "steps.sampleAppPageIdleHealth" : "steps.sampleAppPageIdle", { ...params, color, port: testPort }, pageCommands([curl, { output: "app_test_url" }], [`${curl}http://`, { output: "load_balancer_dns_name" }, `:${testPort}`]));
  } else {
    step("steps.sampleAppForward", { port: LOCAL_PORT }, [
      [
        `aws ssm start-session ${region} --target `,
        { output: "docker_host_instance_id" },
        ` --document-name AWS-StartPortForwardingSession --parameters '{"portNumber":["${app.hostPort}"],"localPortNumber":["${LOCAL_PORT}"]}'`,
      ],
    ]);
    step(health ? "steps.sampleAppPageForwardedHealth" : "steps.sampleAppPageForwarded", { ...params, port: LOCAL_PORT }, pageCommands([`${curl}http://localhost:${LOCAL_PORT}/`], [`${curl}http://localhost:${LOCAL_PORT}`]));
  }
  return steps;
}
