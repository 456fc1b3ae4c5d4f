/** Headless Chromium for the tests that read the rendered pages: Debian's own binary, offline, in a fresh profile. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Debian's chromium (apt-get install chromium), never a browser download. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface OpenBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** No sandbox (the test runs as root), no GPU, nothing fetched behind the page's back, no network at all. */
export async function openChromium(options: { viewport?: { width: number; height: number } } = {}): Promise<OpenBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), "devops-weeks-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    ...(options.viewport ? { viewport: options.viewport } : {}),
    offline: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
