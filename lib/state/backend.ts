/**
 * Where Terraform keeps each stack's state: a local file beside cdktf.json (the default, for a learner
 * alone) or an S3 bucket with native S3 locking (`use_lockfile`, Terraform >= 1.10), for a class or a team.
 * Every stack chooses its backend through `useStateBackend`, so the AWS stack, the `-k8s` stack and the
 * instructor stack stay consistent; only the bootstrap stack, which creates the bucket, keeps local state.
 */
import { join } from "node:path";
import { LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { z } from "zod";
import type { ConfigProblem } from "../core/errors";
import { denyInsecureTransport } from "../constructs/s3-policy";

/** S3 bucket naming rules (general purpose buckets): 3-63 lowercase letters, digits, dots and hyphens. */
const BUCKET_PATTERN = /^(?!xn--)(?!.*\.\.)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_PREFIX_PATTERN = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

export const stateSchema = z
  .strictObject({
    /** local: a state file per stack beside cdktf.json. s3: an S3 bucket with native locking. @default local */
    backend: z.enum(["local", "s3"]).default("local"),
    /** The state bucket (created by the `<project>-bootstrap` stack). Required with backend s3; names are global, so add your account id. */
    bucket: z
      .string()
      .regex(BUCKET_PATTERN, "an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit")
      .optional(),
    /** Region of the state bucket. @default the study's region */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region code such as ap-northeast-2")
      .optional(),
    /** Folder of the state objects in the bucket: `<keyPrefix>/<stack>/terraform.tfstate`. @default the project name */
    keyPrefix: z.string().regex(KEY_PREFIX_PATTERN, "an S3 key prefix such as devops-weeks or class-2026/spring (no leading or trailing slash)").optional(),
  })
  .prefault({});

export type StateSettings = z.output<typeof stateSchema>;

/** The state settings after defaults that depend on the rest of the config. */
export interface ResolvedState {
  readonly backend: "local" | "s3";
  readonly bucket?: string;
  readonly region: string;
  readonly keyPrefix: string;
}

export function resolveState(state: StateSettings, study: { project: string; region: string }): ResolvedState {
  return { backend: state.backend, bucket: state.bucket, region: state.region ?? study.region, keyPrefix: state.keyPrefix ?? study.project };
}

/** Cross-field rules of the `state` section. */
export function validateState(state: StateSettings): ConfigProblem[] {
  if (state.backend === "s3" && !state.bucket) {
    return [{ field: "state.bucket", value: undefined, expected: "the name of the S3 state bucket when state.backend is s3 (the <project>-bootstrap stack creates it), such as devops-weeks-tfstate-123456789012" }];
  }
  return [];
}

/**
 * Local state lives at the project root, beside cdktf.json, not inside out/: a re-synth replaces
 * out/, and a learner's state must survive it. The path is relative (to the stack directory that
 * Terraform runs in) so the generated JSON carries no machine paths.
 */
export function localStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.tfstate`;
}

/**
 * Where the local state of a stack synthesized into `outdir` is, for synth itself to read: the path
 * above, seen from the stack's directory, so `out` gives `terraform.<stack>.tfstate`.
 */
export function localStateFile(outdir: string, stackName: string): string {
  return join(outdir, "stacks", stackName, localStatePath(stackName));
}

/**
 * The state bucket's policy, as the bootstrap stack writes it: requests over TLS only, then `grants` (with
 * classroom learnersApply, each learner's account reaching its own stacks' state: lib/classroom/learner-state.ts).
 */
export function stateBucketPolicy(bucketArn: string, grants: readonly Record<string, unknown>[] = []): { Version: string; Statement: Record<string, unknown>[] } {
  return { Version: "2012-10-17", Statement: [denyInsecureTransport({ arn: bucketArn }), ...grants] };
}

/** The S3 object key of a stack's state. */
export function stateKey(state: Pick<ResolvedState, "keyPrefix">, stackName: string): string {
  return `${state.keyPrefix}/${stackName}/terraform.tfstate`;
}

const statesByApp = new WeakMap<IConstruct, ResolvedState>();

/** Records the state settings for every stack built under `app` (call once, right after `new App`). */
export function setStateSettings(app: IConstruct, state: ResolvedState): void {
  statesByApp.set(app.node.root, state);
}

/** The state settings of the app a construct belongs to; local state when none were recorded. */
export function stateSettingsOf(scope: IConstruct): ResolvedState | undefined {
  return statesByApp.get(scope.node.root);
}

/**
 * Gives `stack` its backend: with s3, `S3Backend` with key `<keyPrefix>/<stack>/terraform.tfstate`,
 * `encrypt = true` and `use_lockfile = true` (set by override: cdktf 0.21's typed S3Backend has no
 * such option); otherwise `LocalBackend` with the relative path of `localStatePath`.
 * `forceLocal` is for the bootstrap stack, which creates the bucket and so cannot keep its state there.
 */
/**
 * The Terraform every stack asks for: 1.10 is the first with S3's native state locking (`use_lockfile`);
 * the stacks' `moved` and `import` blocks need 1.1 and 1.5. The README, the runbooks' tool list and
 * `npm run doctor` all read this one value.
 */
export const TERRAFORM_MINIMUM_VERSION = "1.10.0";

export function useStateBackend(stack: TerraformStack, stackName: string, options: { forceLocal?: boolean } = {}): void {
  stack.addOverride("terraform.required_version", `>= ${TERRAFORM_MINIMUM_VERSION}`);
  const state = stateSettingsOf(stack);
  if (!state || state.backend === "local" || options.forceLocal) {
    new LocalBackend(stack, { path: localStatePath(stackName) });
    return;
  }
  new S3Backend(stack, { bucket: state.bucket!, key: stateKey(state, stackName), region: state.region, encrypt: true });
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
}
