/**
 * Real, offline Terraform, for the security gate (`npm run security-gate`) and the tests: `init` from the
 * machine's filesystem mirror of hashicorp/aws 5.100.0 (direct downloads forbidden by a CLI config written
 * here), `validate`, `plan` with mock credentials, and `show -json`. The provider's skip_* settings and the
 * local backend come from an override file written only here, in a copy of the stack: never in what
 * learners apply.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unpricedTypes, type DeclaredCosts } from "../runbooks/costs";

export const AWS_PROVIDER_VERSION = "5.100.0";
const PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws";

/** Places the machine image is known to ship the mirror, then the usual implied-mirror paths. */
const MIRROR_CANDIDATES = [
  process.env.TF_AWS_PROVIDER_MIRROR,
  "/opt/tf-plugins",
  "/usr/share/terraform/plugins",
  "/usr/local/share/terraform/plugins",
  join(process.env.HOME ?? "/root", ".terraform.d/plugins"),
  join(process.env.HOME ?? "/root", ".local/share/terraform/plugins"),
].filter((p): p is string => Boolean(p));

export class OfflineTerraformUnavailable extends Error {}

/** Finds a mirror holding hashicorp/aws at the pinned version, or says exactly what is missing. */
export function findProviderMirror(): string {
  for (const root of MIRROR_CANDIDATES) {
    const dir = join(root, PROVIDER_SOURCE, AWS_PROVIDER_VERSION);
    if (existsSync(dir) && readdirSync(dir).some((platform) => readdirSync(join(dir, platform)).some((f) => f.startsWith("terraform-provider-aws_")))) return root;
  }
  throw new OfflineTerraformUnavailable(
    `No filesystem mirror of hashicorp/aws ${AWS_PROVIDER_VERSION} found (looked in ${MIRROR_CANDIDATES.join(", ")}). ` +
      `The offline plan cannot run; set TF_AWS_PROVIDER_MIRROR to the mirror's root.`,
  );
}

function terraformBinary(): string {
  const found = spawnSync("terraform", ["version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) throw new OfflineTerraformUnavailable(`terraform is not on the PATH (${found.error?.message ?? found.stderr}); the offline plan cannot run.`);
  return "terraform";
}

let sharedSetup: { env: NodeJS.ProcessEnv; root: string } | undefined;

/** One CLI config and plugin cache for the whole test process: init then links instead of copying 700 MB. */
function offlineEnvironment(): { env: NodeJS.ProcessEnv; root: string } {
  if (sharedSetup) return sharedSetup;
  const mirror = findProviderMirror();
  terraformBinary();
  const root = mkdtempSync(join(tmpdir(), "devops-weeks-tf-"));
  const cache = join(root, "plugin-cache");
  mkdirSync(cache);
  const cliConfig = join(root, "offline.tfrc");
  writeFileSync(
    cliConfig,
    `plugin_cache_dir = "${cache}"
provider_installation {
  filesystem_mirror {
    path    = "${mirror}"
    include = ["${PROVIDER_SOURCE}"]
  }
  direct {
    exclude = ["*/*/*"]
  }
}
`,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "1",
    AWS_ACCESS_KEY_ID: "mock-access-key",
    AWS_SECRET_ACCESS_KEY: "mock-secret-key",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  sharedSetup = { env, root };
  return sharedSetup;
}

/**
 * Override merged into the copied stack: mock credentials, no AWS calls, local state in the copy. A
 * provider that assumes a role (a learner's own account, classroom account isolation) would call STS
 * before planning: its `assume_role` block is replaced by one with an empty `role_arn`, which the
 * provider skips. Only here: the stack itself keeps its role. A role assumed only on request (a
 * learner-applied stack: `role_arn` is an expression of the stack's variable, "" by default) stays as it
 * is, so the plan evaluates that expression the way the learner's own apply does.
 */
function verificationOverride(stack: StackJson): unknown {
  const providers = stack.provider?.aws ?? [{}];
  return {
    terraform: { backend: { local: { path: "verify.tfstate" } } },
    provider: {
      aws: providers.map(({ alias, assume_role }) => ({
        ...(alias ? { alias } : {}),
        access_key: "mock-access-key",
        secret_key: "mock-secret-key",
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        ...(assume_role && !assumedOnRequest(assume_role) ? { assume_role: [{ role_arn: "" }] } : {}),
      })),
    },
  };
}

/** A provider's `assume_role` whose ARN Terraform works out from the stack's variables, "" unless asked otherwise. */
function assumedOnRequest(assumeRole: unknown[]): boolean {
  return assumeRole.every((role) => typeof (role as { role_arn?: unknown }).role_arn === "string" && ((role as { role_arn: string }).role_arn).startsWith("${var."));
}

export interface StackJson {
  provider?: { aws?: { alias?: string; assume_role?: unknown[] }[] };
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  [key: string]: unknown;
}

export interface PlannedResource {
  address: string;
  type: string;
  name: string;
  values: Record<string, unknown>;
}

export interface PlanResult {
  /** Every resource in the planned state (module-free: cdktf stacks are flat). */
  resources: PlannedResource[];
  /** `terraform show -json` as Terraform printed it. */
  raw: Record<string, unknown>;
  byType(type: string): PlannedResource[];
}

/**
 * A copy of a synthesized stack directory with the verification override (mock credentials, local
 * state: the override's backend block replaces the stack's, S3 included), and the environment that
 * runs Terraform offline in it. For callers that drive Terraform themselves (e.g. many stacks at once).
 */
export function prepareOfflineStack(stackDir: string): { work: string; env: NodeJS.ProcessEnv } {
  const { env, root } = offlineEnvironment();
  const work = mkdtempSync(join(root, "stack-"));
  cpSync(stackDir, work, { recursive: true, filter: (src) => !src.includes(`${"/"}.terraform`) });
  const stack = JSON.parse(readFileSync(join(work, "cdk.tf.json"), "utf8")) as StackJson;
  writeFileSync(join(work, "zz_verification_override.tf.json"), JSON.stringify(verificationOverride(stack), null, 2));
  return { work, env };
}

/**
 * Copies a synthesized stack directory, then init, validate, plan and show it offline. `declaredCosts`:
 * the cost declarations of the registry's modules (declaredCostsOf), for the priced-types check.
 */
export function planStackOffline(stackDir: string, declaredCosts: DeclaredCosts): PlanResult {
  const { work, env } = prepareOfflineStack(stackDir);

  const run = (args: string[]) => {
    const result = spawnSync(terraformBinary(), args, { cwd: work, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (result.status !== 0) {
      throw new Error(`terraform ${args.join(" ")} failed in ${work}:\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  };
  run(["init", "-input=false", "-no-color", "-backend=true"]);
  run(["validate", "-no-color"]);
  run(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=verify.tfplan"]);
  return expectEveryTypePriced(planResult(JSON.parse(run(["show", "-json", "verify.tfplan"])) as Record<string, unknown>), stackDir, declaredCosts);
}

/**
 * Every offline plan passes through here: a resource type with neither a price in the runbooks' cost
 * table, nor a place on the list of free types, nor a module's own declaration fails the plan.
 */
export function expectEveryTypePriced(plan: PlanResult, where: string, declaredCosts: DeclaredCosts): PlanResult {
  const missing = unpricedTypes(plan.resources.map((r) => r.type), declaredCosts);
  if (missing.length > 0) throw new Error(`${where}: resource types with no price and not on the free list (lib/runbooks/costs.ts): ${missing.join(", ")}`);
  return plan;
}

/** Wraps `terraform show -json` output of a plan. */
export function planResult(raw: Record<string, unknown>): PlanResult {
  const resources = collectResources(raw);
  return { raw, resources, byType: (type) => resources.filter((r) => r.type === type) };
}

function collectResources(plan: Record<string, unknown>): PlannedResource[] {
  const planned = plan.planned_values as { root_module?: { resources?: PlannedResource[] } } | undefined;
  return (planned?.root_module?.resources ?? []).map((r) => ({ address: r.address, type: r.type, name: r.name, values: r.values ?? {} }));
}

/** The installed Terraform's version line, for reports. */
export function terraformVersion(): string {
  return execFileSync(terraformBinary(), ["version"], { encoding: "utf8", env: offlineEnvironment().env }).split("\n")[0];
}

export function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * One offline working directory that takes stack after stack (each synth of a journey), initialized
 * once, and plans each against a state file given as JSON: how a learner's directory evolves, without
 * an apply. Plans refresh nothing, so the state is all Terraform knows.
 */
export class OfflineWorkspace {
  readonly work: string;
  private readonly env: NodeJS.ProcessEnv;
  private initialized = false;
  private schemaJson?: unknown;

  constructor(private readonly declaredCosts: DeclaredCosts) {
    const { env, root } = offlineEnvironment();
    this.env = env;
    this.work = mkdtempSync(join(root, "workspace-"));
  }

  /** Replaces the workspace's configuration with a synthesized stack directory's (assets included). */
  load(stackDir: string): void {
    for (const entry of readdirSync(this.work)) {
      if (entry !== ".terraform" && entry !== ".terraform.lock.hcl") rmSync(join(this.work, entry), { recursive: true, force: true });
    }
    cpSync(stackDir, this.work, { recursive: true, filter: (src) => !src.includes(`${"/"}.terraform`) });
    const stack = JSON.parse(readFileSync(join(this.work, "cdk.tf.json"), "utf8")) as StackJson;
    writeFileSync(join(this.work, "zz_verification_override.tf.json"), JSON.stringify(verificationOverride(stack), null, 2));
  }

  /** `terraform plan` of the loaded stack against `state` (none: an empty account), as `show -json` prints it. */
  plan(state?: unknown): Record<string, unknown> {
    if (!this.initialized) {
      this.run(["init", "-input=false", "-no-color", "-backend=true"]);
      this.initialized = true;
    }
    const stateFile = join(this.work, "verify.tfstate");
    rmSync(stateFile, { force: true });
    if (state) writeFileSync(stateFile, JSON.stringify(state));
    this.run(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=verify.tfplan"]);
    const plan = JSON.parse(this.run(["show", "-json", "verify.tfplan"])) as Record<string, unknown>;
    expectEveryTypePriced(planResult(plan), this.work, this.declaredCosts);
    return plan;
  }

  /** The provider's schemas (`terraform providers schema -json`), read once. */
  schemas(): unknown {
    this.schemaJson ??= JSON.parse(this.run(["providers", "schema", "-json"]));
    return this.schemaJson;
  }

  private run(args: string[]): string {
    const result = spawnSync(terraformBinary(), args, { cwd: this.work, env: this.env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`terraform ${args.join(" ")} failed in ${this.work}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }
}
