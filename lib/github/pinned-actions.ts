/**
 * The GitHub actions the generated workflows use (week 3's deploy, the class-wide applies), each pinned by
 * commit: a tag can be moved to other code, a commit cannot. Read from snapshots of the actions' own
 * repositories on 2026-12-01, the newest release tag of each, with `git rev-parse <tag>^{commit}`; each
 * major tag (v7, v6, v2, v4) pointed at the same commit. All four run on node24.
 */
import type { Document } from "yaml";

export interface PinnedAction {
  /** `owner/name@<commit>`, as a step's `uses:` takes it. */
  readonly uses: string;
  /** The release tag of that commit, written beside it as a comment. */
  readonly version: string;
}

export const CHECKOUT: PinnedAction = { uses: "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" };
export const CONFIGURE_AWS_CREDENTIALS: PinnedAction = { uses: "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c", version: "v6.2.3" };
export const AMAZON_ECR_LOGIN: PinnedAction = { uses: "aws-actions/amazon-ecr-login@03f1aad4c6c7ffd436567f42f9384779290529bd", version: "v2.1.7" };
export const SETUP_TERRAFORM: PinnedAction = { uses: "hashicorp/setup-terraform@dfe3c3f87815947d99a8997f908cb6525fc44e9e", version: "v4.0.1" };

const PINS = [CHECKOUT, CONFIGURE_AWS_CREDENTIALS, AMAZON_ECR_LOGIN, SETUP_TERRAFORM];

/** Writes each pinned action's release tag as a comment after its `uses:` (where readers and Dependabot look for it). */
export function commentPinnedVersions(document: Document): Document {
  // Loaded here, as by the workflows' writers: a synth without a workflow has no use for the YAML library.
  const { visit } = require("yaml") as typeof import("yaml");
  visit(document, {
    Pair(_key, pair) {
      const key = pair.key as { value?: unknown } | null;
      const value = pair.value as { value?: unknown; comment?: string | null } | null;
      if (key?.value !== "uses" || !value) return;
      const pin = PINS.find((p) => p.uses === value.value);
      if (pin) value.comment = ` ${pin.version}`;
    },
  });
  return document;
}
