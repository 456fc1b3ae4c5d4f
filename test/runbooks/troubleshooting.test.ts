/**
 * The troubleshooting tips of weeks 3, 4, 7 and 10 and week 10's mesh checks, as a learner reads them:
 * each tip in its week's "Troubleshooting" / "문제 해결" section, in both languages, only when the config
 * builds what it is about, with the names synth produced; and every command in them accepted by bash.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { bashSyntaxErrors, codeBlocks } from "../support/markdown";
import { synthConfig, type Synthesized } from "../support/synth";

const HEADINGS = { en: { troubleshooting: "Troubleshooting", checks: "Check your work" }, ko: { troubleshooting: "문제 해결", checks: "확인하기" } } as const;
type Lang = keyof typeof HEADINGS;

/** Each new tip by week, with a phrase of its title in each language. */
const TIPS = {
  githubConnection: { week: 3, en: "the GitHub connection `devops-weeks-dev-github` is still `PENDING`", ko: "GitHub 연결이 아직 승인되지 않아 파이프라인이 Source 단계에서 멈출 때" },
  baseImage: { week: 3, en: "the base image cannot be pulled", ko: "베이스 이미지를 받지 못할 때" },
  codeDeployAgent: { week: 3, en: '"CodeDeploy agent was not able to receive the lifecycle event"', ko: '"CodeDeploy agent was not able to receive the lifecycle event" 오류로 실패할 때' },
  webhookParameter: { week: 4, en: "`parameter /devops-weeks/devops-weeks-dev/webhook-url does not exist yet`", ko: "`parameter /devops-weeks/devops-weeks-dev/webhook-url does not exist yet` 문구가 보일 때" },
  webhookRejected: { week: 4, en: "`the webhook answered HTTP 403` or `HTTP 404`", ko: "`the webhook answered HTTP 403` 또는 `HTTP 404` 문구가 보일 때" },
  alarms: { week: 7, en: "**Alarms stay in `INSUFFICIENT_DATA`**", ko: "**경보가 계속 `INSUFFICIENT_DATA` 상태일 때**" },
  containerInsights: { week: 7, en: "**Container Insights shows nothing for `devops-weeks-dev-eks`**", ko: "**Container Insights에 클러스터 데이터가 보이지 않을 때**" },
  guardDuty: { week: 10, en: "a detector already exists for the current account.", ko: "a detector already exists for the current account.` 오류로 실패할 때" },
  istioCrds: { week: 10, en: '`no matches for kind "PeerAuthentication" in version "security.istio.io/v1"`', ko: '`no matches for kind "PeerAuthentication" in version "security.istio.io/v1"` 오류로 실패할 때' },
  sidecar: { week: 10, en: "**Pods show `1/1` instead of `2/2`: no Istio sidecar**", ko: "**파드가 `2/2` 대신 `1/1` 상태일 때: Istio 사이드카가 없음**" },
} as const;
type TipName = keyof typeof TIPS;

const page = (synth: Synthesized, lang: Lang, week: number) => readFileSync(join(synth.outdir, "runbooks", lang, `week-${String(week).padStart(2, "0")}.md`), "utf8");
const section = (markdown: string, heading: string) => {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const end = markdown.indexOf("\n## ", start + 4);
  return markdown.slice(start, end < 0 ? undefined : end);
};
const troubleshooting = (synth: Synthesized, lang: Lang, week: number) => section(page(synth, lang, week), HEADINGS[lang].troubleshooting);
const checks = (synth: Synthesized, lang: Lang, week: number) => section(page(synth, lang, week), HEADINGS[lang].checks);
const WEEKS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** Which of the tips each week's page shows, in each language. */
function tipsShown(synth: Synthesized): Record<Lang, Record<number, TipName[]>> {
  const shown = { en: {}, ko: {} } as Record<Lang, Record<number, TipName[]>>;
  for (const lang of ["en", "ko"] as const) {
    for (const week of WEEKS) {
      const text = troubleshooting(synth, lang, week);
      shown[lang][week] = (Object.keys(TIPS) as TipName[]).filter((tip) => text.includes(TIPS[tip][lang]));
    }
  }
  return shown;
}

describe("every week on, GitHub source, an app of its own names", () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthConfig({
      ...ALL_WEEKS_CONFIG,
      cicd: { source: { provider: "github", repository: "octocat/hello-docker" } },
      kubernetes: { namespace: "shop", app: { name: "store" } },
    });
  });

  test("each tip is in its own week's troubleshooting section only, in both languages", () => {
    const shown = tipsShown(synth);
    for (const lang of ["en", "ko"] as const) {
      for (const week of WEEKS) {
        // Week 8's log alarms can wait for data too: the alarm tip is on every week that creates alarms.
        const expected = (Object.keys(TIPS) as TipName[]).filter((tip) => TIPS[tip].week === week || (tip === "alarms" && week === 8));
        expect(shown[lang][week], `${lang}, week ${week}`).toEqual(expected);
      }
    }
  });

  test("week 3: the connection's status and a rerun of the pipeline, the build log group, the agent's association and log on the host", () => {
    const text = troubleshooting(synth, "en", 3);
    expect(text).toContain('aws codestar-connections get-connection --region ap-northeast-2 --connection-arn "$(terraform -chdir=out/stacks/devops-weeks-dev output -raw github_connection_arn)" --query Connection.ConnectionStatus --output text');
    expect(text).toContain("aws codepipeline start-pipeline-execution --region ap-northeast-2 --name devops-weeks-dev-pipeline");
    expect(text).toContain("install (or choose) the *AWS Connector for GitHub* app on the GitHub account that owns `octocat/hello-docker`");
    expect(text).toContain("aws logs tail /aws/codebuild/devops-weeks-dev-build --region ap-northeast-2 --since 2h");
    expect(text).toContain("`toomanyrequests: You have reached your unauthenticated pull rate limit`");
    expect(text).toContain('aws ssm start-session --region ap-northeast-2 --target "$(terraform -chdir=out/stacks/devops-weeks-dev output -raw docker_host_instance_id)"');
    expect(text).toContain("sudo systemctl status codedeploy-agent --no-pager\nsudo tail -n 50 /var/log/aws/codedeploy-agent/codedeploy-agent.log");
    expect(text).toContain("--association-filter-list key=AssociationName,value=devops-weeks-dev-docker-host-codedeploy-agent");
  });

  test("week 4: the exact put-parameter command, the notifier's log group and a test through its own topic", () => {
    const text = troubleshooting(synth, "en", 4);
    expect(text).toContain("aws ssm put-parameter --region ap-northeast-2 --name /devops-weeks/devops-weeks-dev/webhook-url --type SecureString --key-id alias/devops-weeks-dev-webhook --overwrite --value '<your webhook URL>'");
    expect(text).toContain(`aws logs tail /aws/lambda/devops-weeks-dev-deploy-notifier --region ap-northeast-2 --since 1h --filter-pattern '"the webhook answered HTTP"'`);
    expect(text).toContain('aws sns publish --region ap-northeast-2 --topic-arn "$(terraform -chdir=out/stacks/devops-weeks-dev output -raw notifications_topic_arn)"');
    for (const answer of ["`HTTP 403: invalid_token`", "`HTTP 404: no_service`", "`HTTP 410: channel_is_archived`"]) expect(text).toContain(answer);
  });

  test("week 7: the environment's alarms still without data, the metric of an alarm by its own dimensions, the add-on's pods", () => {
    const text = troubleshooting(synth, "en", 7);
    expect(text).toContain("aws cloudwatch describe-alarms --region ap-northeast-2 --alarm-name-prefix devops-weeks-dev- --state-value INSUFFICIENT_DATA");
    expect(text).toContain("aws cloudwatch list-metrics --region ap-northeast-2 --namespace ContainerInsights --metric-name node_cpu_utilization --dimensions Name=ClusterName,Value=devops-weeks-dev-eks");
    expect(text).toContain("Its period is 300 seconds, evaluated 2 times");
    expect(text).toContain("kubectl get pods -n amazon-cloudwatch -o wide");
    expect(text).toContain("aws eks describe-addon --region ap-northeast-2 --cluster-name devops-weeks-dev-eks --addon-name amazon-cloudwatch-observability");
  });

  test("week 10: the detector's import at its address, Istio's CRDs and the rerun of the Kubernetes stack, the app's namespace and Deployment", () => {
    const stack = synth.stack("devops-weeks-dev");
    const [detector] = Object.keys(stack.resource?.aws_guardduty_detector ?? {});
    const text = troubleshooting(synth, "en", 10);
    expect(text).toContain(`terraform -chdir=out/stacks/devops-weeks-dev import aws_guardduty_detector.${detector} "$(aws guardduty list-detectors --region ap-northeast-2 --query 'DetectorIds[0]' --output text)"`);
    expect(text).toContain("aws guardduty list-detectors --region ap-northeast-2 --query 'DetectorIds[0]' --output text");
    expect(text).toContain("kubectl get crd peerauthentications.security.istio.io gateways.networking.istio.io virtualservices.networking.istio.io");
    expect(text).toContain("The stack installs them first (istio-base, istio-cni, istiod, istio-ingressgateway) and the chart `istio-app-config`");
    expect(text).toContain("terraform -chdir=out/stacks/devops-weeks-dev-k8s plan -out=tfplan\nterraform -chdir=out/stacks/devops-weeks-dev-k8s apply tfplan");
    expect(text).toContain("kubectl get namespace shop -L istio-injection");
    expect(text).toContain("kubectl -n shop rollout restart deployment/store");
  });

  test("week 10 checks: the sidecar in every pod of the app, STRICT mTLS, and plain text refused, with the names synth produced", () => {
    for (const lang of ["en", "ko"] as const) {
      const text = checks(synth, lang, 10);
      expect(text).toContain("kubectl get pods -n shop -l app.kubernetes.io/instance=store,app.kubernetes.io/name=store -o 'custom-columns=POD:.metadata.name,CONTAINERS:.spec.containers[*].name,INIT:.spec.initContainers[*].name'");
      expect(text).toContain(`kubectl get peerauthentication -n shop default -o jsonpath='{.spec.mtls.mode}{"\\n"}'`);
      expect(text).toMatch(/kubectl run mtls-probe -n default --rm -i --restart=Never --image=\S+nginx-unprivileged\S+ --command -- wget -q -T 5 -O- http:\/\/store\.shop\.svc\.cluster\.local:80\//);
    }
    expect(checks(synth, "en", 10)).toContain("Expected: `STRICT`: the sidecars accept mutual TLS only");
    expect(checks(synth, "ko", 10)).toContain("예상 결과: `STRICT` 값: 사이드카가 상호 TLS 요청만 받습니다");
    expect(checks(synth, "en", 10)).toContain("one row per pod with `istio-proxy` beside `nginx`");
    // Week 5 builds the namespace, but the mesh and its checks are week 10's.
    expect(checks(synth, "en", 5)).not.toContain("peerauthentication");
  });

  test("bash accepts every command of every troubleshooting and check section, in both languages", () => {
    const errors = (["en", "ko"] as const).flatMap((lang) => WEEKS.flatMap((week) => bashSyntaxErrors([...codeBlocks(troubleshooting(synth, lang, week)), ...codeBlocks(checks(synth, lang, week))]).map((e) => `${lang} week ${week}: ${e}`)));
    expect(errors).toEqual([]);
  });

  test("no Korean particle follows a code span in the new tips and checks", () => {
    const korean = [3, 4, 7, 10].map((week) => troubleshooting(synth, "ko", week) + checks(synth, "ko", week)).join("\n");
    const fresh = korean.split("\n").filter((line) => Object.values(TIPS).some((tip) => line.includes(tip.ko)) || /사이드카|상호 TLS|평문/.test(line));
    expect(fresh.length).toBeGreaterThan(5);
    for (const line of fresh) expect(line, line).not.toMatch(/`[은는이가을를에의도와과로만]/);
  });
});

describe("the tips follow the config", () => {
  test("with an S3 source, no webhook, no alarms, no Container Insights, no GuardDuty and VPC Lattice, only the build and deploy tips remain", () => {
    const synth = synthConfig({
      ...ALL_WEEKS_CONFIG,
      notifications: { webhook: { enabled: false } },
      monitoring: { alarms: { enabled: false }, containerInsights: { enabled: false } },
      security: { guardDuty: { enabled: false } },
      serviceMesh: { provider: "vpc-lattice" },
    });
    const shown = tipsShown(synth);
    for (const lang of ["en", "ko"] as const) {
      expect(shown[lang][3], lang).toEqual(["baseImage", "codeDeployAgent"]);
      for (const week of [4, 7, 10]) expect(shown[lang][week], `${lang}, week ${week}`).toEqual([]);
    }
    expect(checks(synth, "en", 10)).not.toContain("mtls-probe");
  });

  test("PERMISSIVE mTLS: the check expects it and runs no plain-text probe", () => {
    const synth = synthConfig({ ...ALL_WEEKS_CONFIG, serviceMesh: { istio: { mtlsMode: "PERMISSIVE" } } });
    const text = checks(synth, "en", 10);
    expect(text).toContain("Expected: `PERMISSIVE` (`serviceMesh.istio.mtlsMode`)");
    expect(text).not.toContain("mtls-probe");
  });
});
