/**
 * Opens the generated HTML runbooks the way a learner does, from file:// in a real browser (Debian's
 * headless Chromium driven by playwright-core), with no network: every enabled week's page loads,
 * its diagram is rendered to SVG by the bundled Mermaid with the nodes the synthesized stacks have,
 * and the links between weeks and languages lead where they say. Weeks 1, 3, 6 and 10 show the way
 * through them (the learner's access path, the pipeline, the traffic through the mesh), and every
 * diagram opens full-window with labels a learner can read. Screenshots go to test/.artifacts/.
 * Set RUNBOOK_SCREENSHOT=docs/runbook-screenshot.png to refresh the README's screenshot.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { CHROMIUM_PATH, openChromium, type OpenBrowser } from "../support/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { mermaidSource, nodeIds, subgraphsAround } from "../support/mermaid";
import { synthConfig, type Synthesized } from "../support/synth";

const CHROMIUM = CHROMIUM_PATH;
const INSTALL_HINT = "apt-get update && apt-get install -y --no-install-recommends chromium fonts-nanum fontconfig";
const ARTIFACTS = join(__dirname, "..", ".artifacts", "runbooks");
/** The smallest label a learner should have to read in the full-window view, in CSS px. */
const MIN_ENLARGED_LABEL_PX = 14;

let synth: Synthesized;
let context: BrowserContext;
let page: Page;
let browser: OpenBrowser | undefined;

const weeks = () => [...new Set(synth.result.selection.modules.map((m) => m.week))].sort((a, b) => a - b);
const pad = (week: number) => String(week).padStart(2, "0");
const urlOf = (path: string) => pathToFileURL(join(synth.outdir, "runbooks", path)).href;
const languages = () => synth.result.config.core.runbooks.languages;

/** Every line of every node, subgraph and edge label in a page's Mermaid source (what the SVG must show). */
function expectedLabels(markdown: string): string[] {
  const source = /```mermaid\n([\s\S]*?)\n```/.exec(markdown)?.[1] ?? "";
  return [...source.matchAll(/"([^"]+)"/g)]
    .flatMap((m) => m[1].split("<br/>"))
    .map((line) => line.replace(/#quot;/g, '"').replace(/#amp;/g, "&").replace(/#lt;/g, "<").replace(/#gt;/g, ">").trim())
    .filter((line) => line.length > 0);
}

async function openRunbook(path: string): Promise<string> {
  const errors: string[] = [];
  const onError = (error: Error) => errors.push(error.message);
  page.on("pageerror", onError);
  await page.goto(urlOf(path));
  await page.waitForFunction(() => [...document.querySelectorAll("pre.mermaid")].every((pre) => pre.querySelector("svg")), undefined, { timeout: 20_000 });
  page.off("pageerror", onError);
  expect(errors, `script errors on ${path}`).toEqual([]);
  return page.locator("pre.mermaid svg").first().evaluate((svg) => svg.textContent ?? "");
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the runbook browser test needs Debian's chromium and a Hangul font. Install them with: ${INSTALL_HINT} (or set CHROMIUM_PATH).`);
  }
  const fonts = (() => {
    try {
      return execFileSync("fc-list", [":lang=ko", "family"], { encoding: "utf8" });
    } catch {
      return "";
    }
  })();
  if (!/nanum/i.test(fonts)) throw new Error(`No Hangul font (fonts-nanum) found by fc-list: Korean runbooks would render as empty boxes. Install it with: ${INSTALL_HINT}.`);
  synth = synthConfig(ALL_WEEKS_CONFIG);
  browser = await openChromium({ viewport: { width: 1100, height: 900 } });
  ({ context, page } = browser);
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

/** What a week's diagram must show, by the ids its Mermaid source gives the nodes. */
interface Way {
  readonly nodes: readonly string[];
  readonly edges: readonly (readonly [string, string])[];
  readonly edgeLabels?: readonly string[];
  /** A node and a subgraph it must be drawn inside. */
  readonly inside?: readonly (readonly [string, string])[];
}

const WAYS: Record<number, (one: (text: string) => string, source: string) => Way> = {
  1: (one) => {
    const bastion = one("devops-weeks-dev-bastion");
    return { nodes: ["learner", "x_ssmSessionManager", bastion], edges: [["learner", "x_ssmSessionManager"], ["x_ssmSessionManager", bastion]] };
  },
  3: (one) => {
    const [bucket, pipeline, build, ecr, deploy, host] = ["devops-weeks-dev-source-ap-northeast-2", "CodePipeline", "CodeBuild", "ECR", "CodeDeploy", "devops-weeks-dev-docker-host"].map(one);
    return {
      nodes: ["learner", bucket, pipeline, build, ecr, deploy, host],
      edges: [["learner", bucket], [bucket, pipeline], [pipeline, build], [build, ecr], [ecr, host], [pipeline, deploy], [deploy, host]],
    };
  },
  6: (one, source) => {
    const [bastion, cluster] = [one("devops-weeks-dev-bastion"), one("devops-weeks-dev-eks<br/>")];
    const nodeGroups = nodeIds(source, "devops-weeks-dev-eks-nodes");
    expect(nodeGroups).toHaveLength(2);
    return {
      nodes: ["learner", "x_ssmSessionManager", bastion, cluster, ...nodeGroups],
      edges: [["learner", "x_ssmSessionManager"], ["x_ssmSessionManager", bastion], [bastion, cluster]],
      edgeLabels: ["HTTPS 443"],
      inside: nodeGroups.map((id) => {
        const subnet = subgraphsAround(source, id)[0];
        expect(subnet.title).toMatch(/^(Private subnet|프라이빗 서브넷) /);
        return [id, subnet.id] as const;
      }),
    };
  },
  10: (one) => {
    const [gateway, pods] = [one("istio-ingressgateway"), one("Deployment<br/>web")];
    return { nodes: ["learner", gateway, pods], edges: [["learner", gateway], [gateway, pods]], edgeLabels: ["mTLS (STRICT)"] };
  },
};

/** The platform fonts Chromium drew a label's glyphs with (DevTools' CSS.getPlatformFontsForNode). */
async function hangulFonts(cdp: CDPSession, label: string): Promise<string[]> {
  const marked = await page.evaluate((text) => {
    const element = [...document.querySelectorAll("pre.mermaid svg span, pre.mermaid svg p")].find((e) => e.textContent?.trim() === text && e.children.length === 0);
    element?.setAttribute("data-font-probe", "");
    return Boolean(element);
  }, label);
  expect(marked, `a label "${label}"`).toBe(true);
  const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
  const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: "[data-font-probe]" });
  const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
  return fonts.filter((f) => f.glyphCount > 0).map((f) => f.familyName);
}

describe("the HTML runbooks in headless Chromium, from file://", () => {
  it("render every enabled week's diagram to SVG with the nodes of its stacks (all weeks in the first language, week 1 in the others)", async () => {
    expect(weeks().length).toBeGreaterThan(1);
    for (const lang of languages()) {
      for (const week of lang === languages()[0] ? weeks() : weeks().slice(0, 1)) {
        const path = `${lang}/week-${pad(week)}.html`;
        const markdown = readFileSync(join(synth.outdir, "runbooks", lang, `week-${pad(week)}.md`), "utf8");
        const labels = expectedLabels(markdown);
        const svgText = await openRunbook(path);
        expect(await page.locator("h1").first().textContent(), path).toMatch(lang === "ko" ? new RegExp(`^${week}주차`) : new RegExp(`^Week ${week}`));
        expect(svgText, path).not.toMatch(/Syntax error/i);
        for (const label of labels) expect(svgText, `${path}: node "${label}"`).toContain(label);
        await page.locator("pre.mermaid").first().screenshot({ path: join(ARTIFACTS, `${lang}-week-${pad(week)}-diagram.png`) });
      }
    }
  });

  it("shows each week's cost, and the warning of what bills by the hour as a callout, before its first apply command", async () => {
    for (const lang of languages()) {
      for (const week of weeks()) {
        const path = `${lang}/week-${pad(week)}.html`;
        await openRunbook(path);
        const firstApply = page.locator("pre code", { hasText: " apply tfplan" }).first();
        const applyTop = (await firstApply.boundingBox())!.y;
        const costHeading = page.locator(lang === "ko" ? "h2:text-is('비용')" : "h2:text-is('Cost')");
        expect((await costHeading.boundingBox())!.y, `${path}: the cost before the first apply`).toBeLessThan(applyTop);
        const callouts = page.locator("aside.callout-warning");
        expect(await page.locator("main").innerText(), path).not.toContain("[!WARNING]");
        for (let i = 0; i < (await callouts.count()); i++) {
          const box = (await callouts.nth(i).boundingBox())!;
          expect(box.y, `${path}: warning ${i + 1} before the first apply`).toBeLessThan(applyTop);
          expect(await callouts.nth(i).evaluate((el) => getComputedStyle(el).borderLeftStyle)).toBe("solid");
        }
      }
    }
  });

  it("draws week 1 with its subnet CIDRs, the NAT and the bastion", async () => {
    const svgText = await openRunbook("ko/week-01.html");
    for (const text of ["10.0.0.0/16", "10.0.0.0/20", "10.0.16.0/20", "10.0.128.0/20", "10.0.144.0/20", "NAT 게이트웨이", "devops-weeks-dev-bastion", "퍼블릭 서브넷", "프라이빗 서브넷"]) {
      expect(svgText).toContain(text);
    }
    const box = await page.locator("pre.mermaid svg").first().boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(300);
    await page.locator("main h1").first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "readme-ko-week-01.png"), clip: { x: 0, y: 0, width: 1100, height: 1800 }, fullPage: true });
    if (process.env.RUNBOOK_SCREENSHOT) copyFileSync(join(ARTIFACTS, "readme-ko-week-01.png"), process.env.RUNBOOK_SCREENSHOT);
  });

  it("shows the way on weeks 1, 3, 6 and 10 in both languages, and opens each diagram full-window with labels of at least 14 px", async () => {
    const cdp = await context.newCDPSession(page);
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    for (const lang of languages()) {
      for (const week of [1, 3, 6, 10]) {
        const path = `${lang}/week-${pad(week)}.html`;
        const source = mermaidSource(readFileSync(join(synth.outdir, "runbooks", lang, `week-${pad(week)}.md`), "utf8"));
        const svgText = await openRunbook(path);
        expect(svgText, path).not.toMatch(/Syntax error/i);
        expect(await page.locator('pre.mermaid svg[aria-roledescription="error"]').count(), `${path}: a Mermaid error`).toBe(0);
        const one = (text: string) => {
          const ids = nodeIds(source, text);
          expect(ids.length, `${path}: a node "${text}"`).toBeGreaterThan(0);
          return ids[0];
        };
        const way = WAYS[week](one, source);
        for (const id of way.nodes) expect(await page.locator(`pre.mermaid svg g.node[id*="-flowchart-${id}-"]`).count(), `${path}: node ${id}`).toBe(1);
        for (const [from, to] of way.edges) expect(await page.locator(`pre.mermaid svg path[data-id^="L_${from}_${to}_"]`).count(), `${path}: edge ${from} -> ${to}`).toBeGreaterThan(0);
        for (const label of way.edgeLabels ?? []) expect(await page.locator("pre.mermaid svg g.edgeLabel", { hasText: label }).count(), `${path}: edge label "${label}"`).toBeGreaterThan(0);
        for (const [node, subgraph] of way.inside ?? []) {
          const inner = (await page.locator(`pre.mermaid svg g.node[id*="-flowchart-${node}-"]`).boundingBox())!;
          const outer = (await page.locator(`pre.mermaid svg g.cluster[id$="-${subgraph}"]`).boundingBox())!;
          const within = inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
          expect(within, `${path}: ${node} drawn inside ${subgraph}`).toBe(true);
        }
        if (lang === "ko") expect(await hangulFonts(cdp, "내 컴퓨터"), `${path}: the fonts that draw "내 컴퓨터"`).toEqual(expect.arrayContaining([expect.stringMatching(/nanum/i)]));

        // Full-window: reached and closed from the keyboard (Escape in one language, the close button in the other).
        const enlarge = page.locator("button.diagram-enlarge").first();
        await enlarge.focus();
        await page.keyboard.press("Enter");
        const dialog = page.locator('.diagram-viewer[role="dialog"]');
        await dialog.locator("svg").waitFor();
        expect(await page.evaluate(() => document.activeElement?.className), `${path}: focus on the close button`).toBe("diagram-viewer-close");
        const view = await dialog.evaluate((element) => {
          const svg = element.querySelector("svg")!;
          const walker = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
          const sizes: { text: string; px: number }[] = [];
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement!;
            if (!node.textContent?.trim() || parent.closest("style")) continue;
            // HTML labels sit in a foreignObject: the SVG's scale is that of the foreignObject.
            const graphic = (parent.closest("foreignObject, text") ?? parent.closest("g")) as SVGGraphicsElement;
            sizes.push({ text: node.textContent.trim(), px: parseFloat(getComputedStyle(parent).fontSize) * (graphic.getScreenCTM()?.a ?? 1) });
          }
          const box = svg.getBoundingClientRect();
          return { sizes, width: box.width, windowWidth: window.innerWidth };
        });
        expect(view.sizes.length, path).toBeGreaterThan(3);
        const small = view.sizes.filter((s) => s.px < MIN_ENLARGED_LABEL_PX).map((s) => `${s.text} (${s.px.toFixed(1)} px)`);
        expect(small, `${path}: labels under ${MIN_ENLARGED_LABEL_PX} px in the full-window view`).toEqual([]);
        expect(view.width, `${path}: the full-window diagram at least as wide as the window`).toBeGreaterThanOrEqual(view.windowWidth * 0.9);
        await page.screenshot({ path: join(ARTIFACTS, `${lang}-week-${pad(week)}-enlarged.png`) });
        if (lang === languages()[0]) await page.keyboard.press("Escape");
        else await dialog.locator("button.diagram-viewer-close").click();
        expect(await dialog.count(), `${path}: the full-window view closed`).toBe(0);
        expect(await page.evaluate(() => document.activeElement?.className), `${path}: focus back on the button`).toBe("diagram-enlarge");
        expect(await page.locator("pre.mermaid svg").count(), `${path}: the diagram back in the page`).toBe(1);
      }
    }
    await cdp.detach();
  });

  it("links each week to the next and back, to the other language and to the index", async () => {
    const [first, second] = weeks();
    await openRunbook(`ko/week-${pad(first)}.html`);
    await page.locator(`main a[href="week-${pad(second)}.html"]`).first().click();
    expect(page.url()).toBe(urlOf(`ko/week-${pad(second)}.html`));
    await page.locator(`main a[href="week-${pad(first)}.html"]`).first().click();
    expect(page.url()).toBe(urlOf(`ko/week-${pad(first)}.html`));
    await page.locator(`main a[href="../en/week-${pad(first)}.html"]`).first().click();
    expect(page.url()).toBe(urlOf(`en/week-${pad(first)}.html`));
    expect(await page.locator("h1").first().textContent()).toMatch(/^Week 1/);
    await page.locator('main a[href="index.html"]').first().click();
    expect(page.url()).toBe(urlOf("en/index.html"));
    for (const week of weeks()) expect(await page.locator(`main a[href="week-${pad(week)}.html"]`).count(), `index links week ${week}`).toBeGreaterThan(0);
  });

  it("opens the site index, whose links reach every week's page in every language", async () => {
    await page.goto(urlOf("index.html"));
    const hrefs = await page.locator("main a").evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    for (const lang of languages()) for (const week of weeks()) expect(hrefs).toContain(urlOf(`${lang}/week-${pad(week)}.html`));
    for (const href of hrefs) expect(existsSync(fileURLToPath(href)), href).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "index.png"), fullPage: true });
    await page.locator(`main a[href="${languages()[0]}/index.html"]`).click();
    expect(page.url()).toBe(urlOf(`${languages()[0]}/index.html`));
    expect(await page.locator("main table a").count()).toBe(weeks().length);
  });

  it("in classroom mode: the site index lists each learner, whose sheet and own guides open with their names (a hostile name shown as text)", async () => {
    const roster = join(mkdtempSync(join(tmpdir(), "devops-weeks-class-")), "roster.csv");
    writeFileSync(roster, 'id,name,email\nkim,Kim Minji,kim@example.com\nlee,"<img src=x onerror=alert(1)> Lee",lee@example.com\n');
    const cls = synthConfig({ classroom: { roster }, costGuard: { emails: ["teacher@example.com"] } }, { weeks: "1,2" });
    const classUrl = (path: string) => pathToFileURL(join(cls.outdir, "runbooks", path)).href;
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => void (dialogs.push(dialog.message()), dialog.dismiss()));
    await page.goto(classUrl("index.html"));
    const learners = page.locator("main ul.learners li");
    expect(await learners.count()).toBe(4); // two learners, in each of the two languages
    expect(await learners.first().textContent()).toContain("Kim Minji (kim)");
    expect(await learners.nth(1).textContent()).toContain("<img src=x onerror=alert(1)> Lee (lee)");
    expect(await page.locator("main img").count()).toBe(0);
    // The sheet, then the learner's own week 1 guide from it, then back to the site.
    await page.locator('main a[href="ko/learners/lee.html"]').click();
    expect(page.url()).toBe(classUrl("ko/learners/lee.html"));
    expect(await page.locator("h1").first().textContent()).toContain("<img src=x onerror=alert(1)> Lee (lee)");
    await page.locator('main a[href="./lee/index.html"]').click();
    expect(page.url()).toBe(classUrl("ko/learners/lee/index.html"));
    await page.locator('main a[href="week-01.html"]').first().click();
    await page.waitForFunction(() => [...document.querySelectorAll("pre.mermaid")].every((pre) => pre.querySelector("svg")), undefined, { timeout: 20_000 });
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("devops-weeks-lee");
    expect(text).not.toContain("devops-weeks-kim");
    expect(text).toContain("강사가 실행합니다.");
    await page.locator('header a[href="../../../index.html"]').click();
    expect(page.url()).toBe(classUrl("index.html"));
    expect(dialogs).toEqual([]);
  });
});
