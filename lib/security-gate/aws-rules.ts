/**
 * The security gate: table-driven rules over `terraform show -json` plan output, each named after the
 * Checkov rule it mirrors. Terraform 5.x providers split S3 settings into their own resources and
 * leave many attributes unknown until apply, so every rule reads the planned value first and, where
 * that is unknown, the plan's `configuration` section (constants and references between resources).
 * A value the gate cannot prove safe counts as unsafe: the gate is strict, not lax.
 */

export const SECURITY_RULE_IDS = [
  "CKV_AWS_24",
  "CKV_AWS_79",
  "CKV_AWS_8",
  "CKV_AWS_58",
  "CKV_AWS_37",
  "CKV_AWS_38",
  "CKV_AWS_7",
  "CKV_AWS_36",
  "CKV_AWS_163",
  "CKV_AWS_26",
  "CKV2_AWS_6",
  "CKV_AWS_19",
  "CKV_AWS_66",
  "CKV2_AWS_11",
  "CKV2_AWS_12",
  "CKV_AWS_88",
  "CKV_AWS_18",
  "DW_ALERTS",
] as const;

export type SecurityRuleId = (typeof SECURITY_RULE_IDS)[number];

// ---- reading a plan --------------------------------------------------------------------------

/** What `terraform show -json <planfile>` prints (the parts the gate reads). */
export interface PlanJson {
  planned_values?: { root_module?: PlannedModule };
  resource_changes?: { address: string; mode?: string; change?: { after_unknown?: unknown } }[];
  configuration?: { root_module?: { resources?: ConfigResource[] } };
  [key: string]: unknown;
}

interface PlannedModule {
  resources?: { address: string; mode?: string; type: string; name: string; values?: Record<string, unknown> }[];
  child_modules?: PlannedModule[];
}

interface ConfigResource {
  address: string;
  mode?: string;
  type: string;
  name: string;
  expressions?: Record<string, unknown>;
}

/** Marks a value Terraform will only know after apply. */
export const UNKNOWN: unique symbol = Symbol("unknown until apply");
export type Resolved = unknown | typeof UNKNOWN;

export type Path = readonly (string | number)[];

export interface PlanResource {
  /** Instance address, e.g. `aws_s3_bucket.logs` or `aws_s3_bucket.logs[0]`. */
  readonly address: string;
  /** Address in the configuration (no instance key), what references point at. */
  readonly configAddress: string;
  readonly type: string;
  readonly name: string;
  readonly values: Record<string, unknown>;
}

export class PlanView {
  readonly resources: readonly PlanResource[];
  private readonly unknownByAddress = new Map<string, unknown>();
  private readonly expressionsByAddress = new Map<string, Record<string, unknown>>();

  constructor(readonly plan: PlanJson) {
    const resources: PlanResource[] = [];
    const collect = (module: PlannedModule | undefined) => {
      for (const r of module?.resources ?? []) {
        if (r.mode && r.mode !== "managed") continue;
        resources.push({ address: r.address, configAddress: r.address.replace(/\[[^\]]*\]$/, ""), type: r.type, name: r.name, values: r.values ?? {} });
      }
      for (const child of module?.child_modules ?? []) collect(child);
    };
    collect(plan.planned_values?.root_module);
    this.resources = resources;
    for (const change of plan.resource_changes ?? []) this.unknownByAddress.set(change.address, change.change?.after_unknown);
    for (const r of plan.configuration?.root_module?.resources ?? []) {
      if (r.mode && r.mode !== "managed") continue;
      this.expressionsByAddress.set(r.address, r.expressions ?? {});
    }
  }

  ofType(...types: string[]): PlanResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  /**
   * The planned value at `path`, or UNKNOWN when Terraform marks it unknown until apply. Absent
   * values come back as undefined. Where the plan has no value, a constant from the configuration
   * is used (for example a literal in a block whose sibling is unknown).
   */
  value(resource: PlanResource, path: Path): Resolved {
    if (isUnknownAt(this.unknownByAddress.get(resource.address), path)) {
      const constant = this.constantAt(resource, path);
      return constant === undefined ? UNKNOWN : constant;
    }
    const planned = at(resource.values, path);
    return planned === undefined ? this.constantAt(resource, path) : planned;
  }

  /** The configuration's constant at `path`, if the configuration wrote a literal there. */
  constantAt(resource: PlanResource, path: Path): unknown {
    const expressions = this.expressionsByAddress.get(resource.configAddress);
    // A literal at the path, or nested inside a constant object or list written higher up.
    for (let cut = path.length; cut >= 1; cut--) {
      const node = expressionAt(expressions, path.slice(0, cut));
      if (!node || typeof node !== "object" || !("constant_value" in node)) continue;
      // JSON configurations (cdktf) show interpolations as "${...}" strings: those are references, not literals.
      if (cut === path.length && ((node as { references?: unknown[] }).references?.length ?? 0) > 0) return undefined;
      const value = at((node as { constant_value: unknown }).constant_value, path.slice(cut));
      return containsInterpolation(value) ? undefined : value;
    }
    return undefined;
  }

  /**
   * The configuration's value at `path` with every `${type.name.attribute}` interpolation replaced by
   * that resource's planned value; UNKNOWN if any of them is unknown or is not a plain reference.
   */
  resolvedConstantAt(resource: PlanResource, path: Path): Resolved {
    const expressions = this.expressionsByAddress.get(resource.configAddress);
    for (let cut = path.length; cut >= 1; cut--) {
      const node = expressionAt(expressions, path.slice(0, cut));
      if (!node || typeof node !== "object" || !("constant_value" in node)) continue;
      let unknown = false;
      const resolve = (value: unknown): unknown => {
        if (typeof value === "string" && containsInterpolation(value)) {
          const m = /^\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value);
          const target = m ? this.resources.find((r) => r.configAddress === `${m[1]}.${m[2]}`) : undefined;
          const resolved = target ? this.value(target, [m![3]]) : UNKNOWN;
          if (resolved === UNKNOWN || resolved === undefined) unknown = true;
          return resolved;
        }
        if (Array.isArray(value)) return value.map(resolve);
        if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
        return value;
      };
      const value = resolve(at((node as { constant_value: unknown }).constant_value, path.slice(cut)));
      return unknown ? UNKNOWN : value;
    }
    return UNKNOWN;
  }

  /** Resource addresses (configuration level) that the expression at `path` refers to. */
  references(resource: PlanResource, path: Path): string[] {
    const node = expressionAt(this.expressionsByAddress.get(resource.configAddress), path);
    const refs = node && typeof node === "object" && Array.isArray((node as { references?: unknown }).references) ? ((node as { references: string[] }).references) : [];
    const addresses = refs.map((ref) => /^(aws_[a-z0-9_]+|[a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/.exec(ref)).filter((m): m is RegExpExecArray => m !== null && !m[0].startsWith("data.") && m[1] !== "var" && m[1] !== "local");
    return [...new Set(addresses.map((m) => `${m[1]}.${m[2]}`))];
  }

  /** Whether the configuration set anything (a constant or a reference) at `path`. */
  isConfigured(resource: PlanResource, path: Path): boolean {
    const node = expressionAt(this.expressionsByAddress.get(resource.configAddress), path);
    if (node === undefined || node === null) return this.constantAt(resource, path) !== undefined;
    if (typeof node === "object" && "constant_value" in node) return (node as { constant_value: unknown }).constant_value !== null;
    return this.references(resource, path).length > 0 || (typeof node === "object" && Object.keys(node).length > 0);
  }

  /**
   * The resources of `parentType` that `child`'s attribute at `path` points at: through a reference
   * in the configuration (`aws_s3_bucket.logs.id`), or, when the attribute holds a known literal,
   * through equality with one of the parent's attributes (`bucket`, `id`).
   */
  parentsOf(child: PlanResource, path: Path, parentType: string, parentKeys: readonly string[]): PlanResource[] {
    const refs = this.references(child, path);
    const parents = this.ofType(parentType);
    const byReference = parents.filter((p) => refs.includes(p.configAddress));
    if (byReference.length > 0) return byReference;
    const literal = this.value(child, path);
    if (literal === UNKNOWN || literal === undefined || literal === null || literal === "") return [];
    return parents.filter((p) => parentKeys.some((key) => {
      const v = this.value(p, [key]);
      return v !== UNKNOWN && v === literal;
    }));
  }

  /** Children of `childType` whose attribute at `path` points at `parent` (see parentsOf). */
  childrenOf(parent: PlanResource, childType: string, path: Path, parentKeys: readonly string[]): PlanResource[] {
    return this.ofType(childType).filter((child) => this.parentsOf(child, path, parent.type, parentKeys).some((p) => p.address === parent.address));
  }
}

function containsInterpolation(value: unknown): boolean {
  if (typeof value === "string") return /(^|[^$])\$\{/.test(value);
  if (Array.isArray(value)) return value.some(containsInterpolation);
  if (value && typeof value === "object") return Object.values(value).some(containsInterpolation);
  return false;
}

function at(value: unknown, path: Path): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || node === undefined) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** after_unknown mirrors the value's shape with `true` where a value is unknown. */
function isUnknownAt(afterUnknown: unknown, path: Path): boolean {
  let node = afterUnknown;
  for (const key of path) {
    if (node === true) return true;
    if (node === null || typeof node !== "object") return false;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node === true;
}

/** Configuration expressions nest blocks as arrays of objects; attributes are objects with references or constant_value. */
function expressionAt(expressions: Record<string, unknown> | undefined, path: Path): unknown {
  let node: unknown = expressions;
  for (const key of path) {
    if (node === null || node === undefined) return undefined;
    if (typeof key === "number" && !Array.isArray(node)) {
      if (key === 0) continue; // a single nested block written as an object
      return undefined;
    }
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

// ---- the rules -------------------------------------------------------------------------------

/** A rule's finding, in the AWS gate or (with its own ids) the Kubernetes gate. */
export interface Finding<Id extends string = SecurityRuleId> {
  readonly rule: Id;
  readonly stack: string;
  readonly address: string;
  readonly message: string;
}

export interface SecurityRule {
  readonly id: SecurityRuleId;
  /** What the rule requires, in one line. */
  readonly title: string;
  readonly resourceTypes: readonly string[];
  /** Problems found, as [address, message] pairs. */
  check(plan: PlanView): [string, string][];
}

const isTrue = (v: unknown) => v === true || v === "true";
const OPEN_IPV4 = "0.0.0.0/0";
const OPEN_IPV6 = "::/0";

function listOf(value: Resolved): unknown[] | typeof UNKNOWN {
  if (value === UNKNOWN) return UNKNOWN;
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function coversSsh(protocol: unknown, fromPort: unknown, toPort: unknown): boolean {
  const p = String(protocol ?? "").toLowerCase();
  if (p === "-1" || p === "all") return true;
  if (p !== "tcp" && p !== "6") return false;
  const from = Number(fromPort ?? 0);
  const to = Number(toPort ?? 65535);
  return from <= 22 && 22 <= to;
}

function openCidrs(cidrs: Resolved): boolean | typeof UNKNOWN {
  const list = listOf(cidrs);
  if (list === UNKNOWN) return UNKNOWN;
  return list.some((c) => c === OPEN_IPV4 || c === OPEN_IPV6);
}

const sshOpen: SecurityRule = {
  id: "CKV_AWS_24",
  title: "No security group allows SSH (port 22) from 0.0.0.0/0 or ::/0",
  resourceTypes: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
  check(plan) {
    const found: [string, string][] = [];
    for (const sg of plan.ofType("aws_security_group")) {
      let ingress = listOf(plan.value(sg, ["ingress"]));
      if (ingress === UNKNOWN) {
        // Not written inline: the group's rules are separate resources, checked below.
        if (!plan.isConfigured(sg, ["ingress"])) continue;
        // Written inline with references (e.g. a VPC's CIDR): resolve them from the plan.
        ingress = listOf(plan.resolvedConstantAt(sg, ["ingress"]));
        if (ingress === UNKNOWN) {
          found.push([sg.address, "ingress rules are unknown until apply, so SSH from the internet cannot be ruled out"]);
          continue;
        }
      }
      ingress.forEach((rule, i) => {
        const r = (rule ?? {}) as Record<string, unknown>;
        if (!coversSsh(r.protocol, r.from_port, r.to_port)) return;
        const open = [openCidrs(r.cidr_blocks === undefined ? UNKNOWN : r.cidr_blocks), openCidrs(r.ipv6_cidr_blocks ?? [])];
        if (open.includes(true)) found.push([sg.address, `ingress[${i}] allows port 22 from the whole internet`]);
        else if (open.includes(UNKNOWN)) found.push([sg.address, `ingress[${i}] covers port 22 from sources unknown until apply`]);
      });
    }
    for (const rule of plan.ofType("aws_security_group_rule")) {
      if (plan.value(rule, ["type"]) !== "ingress") continue;
      if (!coversSsh(plan.value(rule, ["protocol"]), plan.value(rule, ["from_port"]), plan.value(rule, ["to_port"]))) continue;
      const source = (key: string) => {
        const v = plan.value(rule, [key]);
        return v === UNKNOWN ? plan.resolvedConstantAt(rule, [key]) : v;
      };
      const open = [openCidrs(source("cidr_blocks")), openCidrs(source("ipv6_cidr_blocks"))];
      if (open.includes(true)) found.push([rule.address, "allows port 22 from the whole internet"]);
      else if (open.includes(UNKNOWN)) found.push([rule.address, "covers port 22 from sources unknown until apply"]);
    }
    for (const rule of plan.ofType("aws_vpc_security_group_ingress_rule")) {
      if (!coversSsh(plan.value(rule, ["ip_protocol"]), plan.value(rule, ["from_port"]), plan.value(rule, ["to_port"]))) continue;
      const source = (key: string) => {
        const v = plan.value(rule, [key]);
        return v === UNKNOWN ? plan.resolvedConstantAt(rule, [key]) : v;
      };
      const [v4, v6] = [source("cidr_ipv4"), source("cidr_ipv6")];
      if (v4 === OPEN_IPV4 || v6 === OPEN_IPV6) found.push([rule.address, "allows port 22 from the whole internet"]);
      else if (v4 === UNKNOWN || v6 === UNKNOWN) found.push([rule.address, "covers port 22 from sources unknown until apply"]);
    }
    return found;
  },
};

/** The launch template an instance or node group is launched from, resolved through the configuration. */
function launchTemplateOf(plan: PlanView, instance: PlanResource): PlanResource | undefined {
  for (const key of ["id", "name"]) {
    const found = plan.parentsOf(instance, ["launch_template", 0, key], "aws_launch_template", [key]);
    if (found.length > 0) return found[0];
  }
  return undefined;
}

function imdsV2Required(plan: PlanView, resource: PlanResource): boolean {
  return plan.value(resource, ["metadata_options", 0, "http_tokens"]) === "required" || plan.value(resource, ["metadata_options", 0, "http_endpoint"]) === "disabled";
}

const imdsV1: SecurityRule = {
  id: "CKV_AWS_79",
  title: "Instances and launch templates require IMDSv2 (metadata_options.http_tokens = required)",
  resourceTypes: ["aws_instance", "aws_launch_template", "aws_launch_configuration"],
  check(plan) {
    const found: [string, string][] = [];
    for (const r of plan.ofType("aws_launch_template", "aws_launch_configuration")) {
      if (!imdsV2Required(plan, r)) found.push([r.address, "metadata_options.http_tokens is not \"required\": IMDSv1 stays open"]);
    }
    for (const instance of plan.ofType("aws_instance")) {
      if (imdsV2Required(plan, instance)) continue;
      const own = plan.value(instance, ["metadata_options", 0, "http_tokens"]);
      const template = launchTemplateOf(plan, instance);
      // An instance that sets nothing itself inherits its launch template's metadata options.
      if ((own === UNKNOWN || own === undefined) && template && imdsV2Required(plan, template)) continue;
      found.push([instance.address, "metadata_options.http_tokens is not \"required\": IMDSv1 stays open"]);
    }
    return found;
  },
};

function encryptionByDefault(plan: PlanView): boolean {
  return plan.ofType("aws_ebs_encryption_by_default").some((r) => isTrue(plan.value(r, ["enabled"]) ?? true));
}

function templateEncryptsVolumes(plan: PlanView, template: PlanResource): string | undefined {
  const mappings = listOf(plan.value(template, ["block_device_mappings"]));
  if (mappings === UNKNOWN) return "block_device_mappings are unknown until apply";
  // Instance-store mappings (virtual_name) have nothing to encrypt.
  const ebs = mappings.map((_, i) => i).filter((i) => [undefined, null, ""].includes(plan.value(template, ["block_device_mappings", i, "virtual_name"]) as string));
  if (ebs.length === 0) return "no block_device_mappings: the root volume is the AMI's, unencrypted unless EBS encryption by default is on";
  const bad = ebs.filter((i) => !isTrue(plan.value(template, ["block_device_mappings", i, "ebs", 0, "encrypted"])));
  return bad.length > 0 ? `block_device_mappings[${bad.join(", ")}].ebs.encrypted is not true` : undefined;
}

const unencryptedVolumes: SecurityRule = {
  id: "CKV_AWS_8",
  title: "Launch configurations, launch templates and instances encrypt their EBS volumes",
  resourceTypes: ["aws_launch_configuration", "aws_launch_template", "aws_instance"],
  check(plan) {
    const found: [string, string][] = [];
    const accountDefault = encryptionByDefault(plan);
    for (const lc of plan.ofType("aws_launch_configuration")) {
      const root = plan.value(lc, ["root_block_device", 0, "encrypted"]);
      if (!isTrue(root) && !accountDefault) found.push([lc.address, "root_block_device.encrypted is not true"]);
      const extra = listOf(plan.value(lc, ["ebs_block_device"]));
      if (extra !== UNKNOWN) extra.forEach((_, i) => {
        if (!isTrue(plan.value(lc, ["ebs_block_device", i, "encrypted"])) && !accountDefault) found.push([lc.address, `ebs_block_device[${i}].encrypted is not true`]);
      });
    }
    if (!accountDefault) {
      for (const template of plan.ofType("aws_launch_template")) {
        const problem = templateEncryptsVolumes(plan, template);
        if (problem) found.push([template.address, problem]);
      }
    }
    for (const instance of plan.ofType("aws_instance")) {
      const root = plan.value(instance, ["root_block_device", 0, "encrypted"]);
      const template = launchTemplateOf(plan, instance);
      const rootSafe = isTrue(root) || accountDefault || ((root === UNKNOWN || root === undefined) && template !== undefined && templateEncryptsVolumes(plan, template) === undefined);
      if (!rootSafe) found.push([instance.address, "root_block_device.encrypted is not true"]);
      const extra = listOf(plan.value(instance, ["ebs_block_device"]));
      if (extra !== UNKNOWN && !accountDefault) extra.forEach((_, i) => {
        if (!isTrue(plan.value(instance, ["ebs_block_device", i, "encrypted"]))) found.push([instance.address, `ebs_block_device[${i}].encrypted is not true`]);
      });
    }
    return found;
  },
};

const eksSecrets: SecurityRule = {
  id: "CKV_AWS_58",
  title: "EKS clusters encrypt Kubernetes secrets with a KMS key (encryption_config)",
  resourceTypes: ["aws_eks_cluster"],
  check(plan) {
    const found: [string, string][] = [];
    for (const cluster of plan.ofType("aws_eks_cluster")) {
      const resources = listOf(plan.value(cluster, ["encryption_config", 0, "resources"]));
      const key = plan.value(cluster, ["encryption_config", 0, "provider", 0, "key_arn"]);
      const keySet = (typeof key === "string" && key !== "") || (key === UNKNOWN && plan.isConfigured(cluster, ["encryption_config", 0, "provider", 0, "key_arn"]));
      if (resources === UNKNOWN || !resources.includes("secrets") || !keySet) found.push([cluster.address, "encryption_config with resources [\"secrets\"] and a KMS key_arn is missing"]);
    }
    return found;
  },
};

export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

const eksLogging: SecurityRule = {
  id: "CKV_AWS_37",
  title: `EKS clusters send every control-plane log type to CloudWatch (${EKS_LOG_TYPES.join(", ")})`,
  resourceTypes: ["aws_eks_cluster"],
  check(plan) {
    const found: [string, string][] = [];
    for (const cluster of plan.ofType("aws_eks_cluster")) {
      const types = listOf(plan.value(cluster, ["enabled_cluster_log_types"]));
      const missing = types === UNKNOWN ? [...EKS_LOG_TYPES] : EKS_LOG_TYPES.filter((t) => !types.includes(t));
      if (missing.length > 0) found.push([cluster.address, `enabled_cluster_log_types lacks ${missing.join(", ")}`]);
    }
    return found;
  },
};

const eksPublicEndpoint: SecurityRule = {
  id: "CKV_AWS_38",
  title: "EKS public API endpoints are off or limited to named CIDRs (not 0.0.0.0/0)",
  resourceTypes: ["aws_eks_cluster"],
  check(plan) {
    const found: [string, string][] = [];
    for (const cluster of plan.ofType("aws_eks_cluster")) {
      const publicAccess = plan.value(cluster, ["vpc_config", 0, "endpoint_public_access"]);
      if (publicAccess === false || publicAccess === "false") continue;
      const cidrs = plan.value(cluster, ["vpc_config", 0, "public_access_cidrs"]);
      const open = openCidrs(cidrs);
      // Left unset, public_access_cidrs is unknown in the plan and becomes 0.0.0.0/0 at apply.
      if (open === true) found.push([cluster.address, "the public endpoint accepts 0.0.0.0/0"]);
      else if (open === UNKNOWN || (Array.isArray(cidrs) && cidrs.length === 0)) found.push([cluster.address, "the public endpoint is on and public_access_cidrs is not set, so it defaults to 0.0.0.0/0"]);
    }
    return found;
  },
};

const kmsRotation: SecurityRule = {
  id: "CKV_AWS_7",
  title: "Symmetric KMS keys rotate their key material (enable_key_rotation)",
  resourceTypes: ["aws_kms_key"],
  check(plan) {
    const found: [string, string][] = [];
    for (const key of plan.ofType("aws_kms_key")) {
      const spec = plan.value(key, ["customer_master_key_spec"]);
      if (typeof spec === "string" && spec !== "SYMMETRIC_DEFAULT") continue; // AWS cannot rotate asymmetric or HMAC keys
      if (!isTrue(plan.value(key, ["enable_key_rotation"]))) found.push([key.address, "enable_key_rotation is not true"]);
    }
    return found;
  },
};

const trailValidation: SecurityRule = {
  id: "CKV_AWS_36",
  title: "CloudTrail trails validate their log files (enable_log_file_validation)",
  resourceTypes: ["aws_cloudtrail"],
  check(plan) {
    return plan
      .ofType("aws_cloudtrail")
      .filter((trail) => !isTrue(plan.value(trail, ["enable_log_file_validation"])))
      .map((trail) => [trail.address, "enable_log_file_validation is not true"]);
  },
};

const ecrScanOnPush: SecurityRule = {
  id: "CKV_AWS_163",
  title: "ECR repositories scan images on push",
  resourceTypes: ["aws_ecr_repository"],
  check(plan) {
    return plan
      .ofType("aws_ecr_repository")
      .filter((repo) => !isTrue(plan.value(repo, ["image_scanning_configuration", 0, "scan_on_push"])))
      .map((repo) => [repo.address, "image_scanning_configuration.scan_on_push is not true"]);
  },
};

const snsEncryption: SecurityRule = {
  id: "CKV_AWS_26",
  title: "SNS topics are encrypted with KMS (kms_master_key_id)",
  resourceTypes: ["aws_sns_topic"],
  check(plan) {
    return plan
      .ofType("aws_sns_topic")
      .filter((topic) => {
        const key = plan.value(topic, ["kms_master_key_id"]);
        return !((typeof key === "string" && key !== "") || (key === UNKNOWN && plan.isConfigured(topic, ["kms_master_key_id"])));
      })
      .map((topic) => [topic.address, "kms_master_key_id is not set"]);
  },
};

const BUCKET_KEYS = ["bucket", "id"] as const;

const s3PublicAccessBlock: SecurityRule = {
  id: "CKV2_AWS_6",
  title: "Every S3 bucket has a public access block with all four settings on",
  resourceTypes: ["aws_s3_bucket", "aws_s3_bucket_public_access_block"],
  check(plan) {
    const found: [string, string][] = [];
    const settings = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
    for (const bucket of plan.ofType("aws_s3_bucket")) {
      const blocks = plan.childrenOf(bucket, "aws_s3_bucket_public_access_block", ["bucket"], BUCKET_KEYS);
      if (blocks.length === 0) {
        found.push([bucket.address, "no aws_s3_bucket_public_access_block refers to this bucket"]);
        continue;
      }
      const complete = blocks.some((block) => settings.every((s) => isTrue(plan.value(block, [s]))));
      if (!complete) found.push([bucket.address, `its public access block does not set all of ${settings.join(", ")} to true`]);
    }
    return found;
  },
};

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

const s3Encryption: SecurityRule = {
  id: "CKV_AWS_19",
  title: "Every S3 bucket has default server-side encryption (AES256 or KMS)",
  resourceTypes: ["aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration"],
  check(plan) {
    const found: [string, string][] = [];
    for (const bucket of plan.ofType("aws_s3_bucket")) {
      // The deprecated inline block, when the configuration writes it.
      const inline = plan.constantAt(bucket, ["server_side_encryption_configuration", 0, "rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"]);
      if (typeof inline === "string" && SSE_ALGORITHMS.includes(inline)) continue;
      const configs = plan.childrenOf(bucket, "aws_s3_bucket_server_side_encryption_configuration", ["bucket"], BUCKET_KEYS);
      const encrypted = configs.some((config) => {
        const rules = listOf(plan.value(config, ["rule"]));
        if (rules === UNKNOWN) return false;
        return rules.some((_, i) => {
          const algorithm = plan.value(config, ["rule", i, "apply_server_side_encryption_by_default", 0, "sse_algorithm"]);
          return typeof algorithm === "string" && SSE_ALGORITHMS.includes(algorithm);
        });
      });
      if (!encrypted) found.push([bucket.address, configs.length === 0 ? "no aws_s3_bucket_server_side_encryption_configuration refers to this bucket" : "its encryption configuration sets no sse_algorithm"]);
    }
    return found;
  },
};

const logRetention: SecurityRule = {
  id: "CKV_AWS_66",
  title: "CloudWatch log groups have a retention period (retention_in_days > 0)",
  resourceTypes: ["aws_cloudwatch_log_group"],
  check(plan) {
    return plan
      .ofType("aws_cloudwatch_log_group")
      .filter((group) => {
        const days = plan.value(group, ["retention_in_days"]);
        if (days === UNKNOWN) return !plan.isConfigured(group, ["retention_in_days"]);
        return !(typeof days === "number" && days > 0);
      })
      .map((group) => [group.address, "retention_in_days is not set: logs are kept (and billed) forever"]);
  },
};

const vpcFlowLogs: SecurityRule = {
  id: "CKV2_AWS_11",
  title: "Every VPC has flow logs (an aws_flow_log for its vpc_id)",
  resourceTypes: ["aws_vpc", "aws_flow_log"],
  check(plan) {
    return plan
      .ofType("aws_vpc")
      .filter((vpc) => plan.childrenOf(vpc, "aws_flow_log", ["vpc_id"], ["id"]).length === 0)
      .map((vpc) => [vpc.address, "no aws_flow_log records this VPC's traffic"]);
  },
};

const defaultSecurityGroup: SecurityRule = {
  id: "CKV2_AWS_12",
  title: "Every VPC's default security group is adopted with no rules (closed)",
  resourceTypes: ["aws_vpc", "aws_default_security_group"],
  check(plan) {
    const found: [string, string][] = [];
    for (const vpc of plan.ofType("aws_vpc")) {
      const groups = plan.childrenOf(vpc, "aws_default_security_group", ["vpc_id"], ["id"]);
      if (groups.length === 0) {
        found.push([vpc.address, "its default security group is not adopted by an aws_default_security_group, so AWS's allow-all-within-group rules stay"]);
        continue;
      }
      for (const group of groups) {
        for (const direction of ["ingress", "egress"]) {
          const rules = listOf(plan.value(group, [direction]));
          if (rules === UNKNOWN || rules.length > 0) found.push([group.address, `the default security group keeps ${direction} rules`]);
        }
        const attached = plan
          .ofType("aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")
          .filter((rule) => plan.references(rule, ["security_group_id"]).includes(group.configAddress));
        for (const rule of attached) found.push([rule.address, "adds a rule to the default security group"]);
      }
    }
    return found;
  },
};

const publicInstanceAddress: SecurityRule = {
  id: "CKV_AWS_88",
  title: "EC2 instances and launch templates give no public IP address (reach them through SSM)",
  resourceTypes: ["aws_instance", "aws_launch_template"],
  check(plan) {
    const found: [string, string][] = [];
    for (const instance of plan.ofType("aws_instance")) {
      const value = plan.value(instance, ["associate_public_ip_address"]);
      // Left out, the subnet's map_public_ip_on_launch decides: the gate wants it written down.
      if (value === UNKNOWN || value === undefined || value === null) found.push([instance.address, "associate_public_ip_address is not set to false, so the subnet decides whether it gets a public address"]);
      else if (isTrue(value)) found.push([instance.address, "has a public IP address"]);
    }
    for (const template of plan.ofType("aws_launch_template")) {
      const interfaces = listOf(plan.value(template, ["network_interfaces"]));
      if (interfaces === UNKNOWN) {
        found.push([template.address, "its network interfaces are unknown until apply, so a public address cannot be ruled out"]);
        continue;
      }
      interfaces.forEach((nic, i) => {
        if (isTrue((nic as Record<string, unknown> | null)?.associate_public_ip_address)) found.push([template.address, `network_interfaces[${i}] asks for a public IP address`]);
      });
    }
    return found;
  },
};

/** The buckets a pipeline's S3 source action reads: an upload there deploys code. */
function deploySourceBuckets(plan: PlanView): { pipeline: PlanResource; bucket: PlanResource | undefined; name: Resolved }[] {
  const sources: { pipeline: PlanResource; bucket: PlanResource | undefined; name: Resolved }[] = [];
  for (const pipeline of plan.ofType("aws_codepipeline")) {
    const stages = listOf(plan.value(pipeline, ["stage"]));
    if (stages === UNKNOWN) continue;
    stages.forEach((stage, i) => {
      const actions = listOf(((stage ?? {}) as Record<string, unknown>).action as Resolved);
      if (actions === UNKNOWN) return;
      actions.forEach((action, j) => {
        const a = (action ?? {}) as Record<string, unknown>;
        if (a.category !== "Source" || a.provider !== "S3") return;
        const path = ["stage", i, "action", j, "configuration", "S3Bucket"];
        let bucket: PlanResource | undefined = plan.parentsOf(pipeline, path, "aws_s3_bucket", ["bucket", "id"])[0];
        // `configuration` is a map attribute: Terraform lists its references for the whole map.
        const referenced = plan.references(pipeline, path.slice(0, -1)).filter((address) => address.startsWith("aws_s3_bucket."));
        if (!bucket && referenced.length === 1) bucket = plan.ofType("aws_s3_bucket").find((b) => b.configAddress === referenced[0]);
        sources.push({ pipeline, bucket, name: plan.value(pipeline, path) });
      });
    });
  }
  return sources;
}

const sourceBucketAccessLogs: SecurityRule = {
  id: "CKV_AWS_18",
  title: "A bucket a pipeline deploys from logs every request (S3 server access logs, kept for a set time)",
  resourceTypes: ["aws_codepipeline", "aws_s3_bucket_logging"],
  check(plan) {
    const found: [string, string][] = [];
    for (const { pipeline, bucket, name } of deploySourceBuckets(plan)) {
      if (!bucket) {
        found.push([pipeline.address, `its S3 source ${name === UNKNOWN ? "(a bucket unknown until apply)" : String(name)} is not a bucket of this plan, so its access logging cannot be checked`]);
        continue;
      }
      const [logging] = plan.childrenOf(bucket, "aws_s3_bucket_logging", ["bucket"], BUCKET_KEYS);
      if (!logging) {
        found.push([bucket.address, "an upload here deploys code, and no aws_s3_bucket_logging records who uploaded what"]);
        continue;
      }
      const [target] = plan.parentsOf(logging, ["target_bucket"], "aws_s3_bucket", BUCKET_KEYS);
      const expiring = target && plan.childrenOf(target, "aws_s3_bucket_lifecycle_configuration", ["bucket"], BUCKET_KEYS).some((lifecycle) => {
        const rules = listOf(plan.value(lifecycle, ["rule"]));
        return rules !== UNKNOWN && rules.some((rule) => {
          const r = (rule ?? {}) as Record<string, unknown>;
          return r.status === "Enabled" && Array.isArray(r.expiration) && r.expiration.some((e) => typeof (e as Record<string, unknown>)?.days === "number");
        });
      });
      if (!target) found.push([logging.address, "its target bucket is not a bucket of this plan"]);
      else if (!expiring) found.push([target.address, "holds the source bucket's access logs with no lifecycle rule that expires them (a retention)"]);
    }
    return found;
  },
};

/** The alerts every environment must send somewhere: id, what the pattern must match, and why. */
const REQUIRED_ALERTS: readonly { name: string; matches: (pattern: Record<string, unknown>) => boolean }[] = [
  { name: "GuardDuty findings", matches: (p) => includesValue(p.source, "aws.guardduty") },
  { name: "a sign-in as the root user", matches: (p) => includesValue(p.source, "aws.signin") && includesValue(nested(p, ["detail", "userIdentity", "type"]), "Root") },
  { name: "a new access key", matches: (p) => includesValue(p.source, "aws.iam") && includesValue(nested(p, ["detail", "eventName"]), "CreateAccessKey") },
  { name: "a security group opened to the internet", matches: (p) => includesValue(nested(p, ["detail", "eventName"]), "AuthorizeSecurityGroupIngress") },
];

function includesValue(list: unknown, value: string): boolean {
  return Array.isArray(list) && list.includes(value);
}

function nested(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), value);
}

const securityAlerts: SecurityRule = {
  id: "DW_ALERTS",
  title: "An environment's security events reach a person: EventBridge rules to an SNS topic with a subscription, and the trail CloudTrail's events need",
  resourceTypes: ["aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sns_topic_subscription", "aws_cloudtrail"],
  check(plan) {
    // An environment is a plan with a VPC; the state bucket's and the instructor's stacks hold none.
    const [vpc] = plan.ofType("aws_vpc");
    if (!vpc) return [];
    const topicsOf = (rule: PlanResource) => plan.childrenOf(rule, "aws_cloudwatch_event_target", ["rule"], ["name", "id"]).flatMap((target) => plan.parentsOf(target, ["arn"], "aws_sns_topic", ["arn"]));
    const subscribed = (topic: PlanResource) => plan.childrenOf(topic, "aws_sns_topic_subscription", ["topic_arn"], ["arn"]).length > 0;
    const rules = plan.ofType("aws_cloudwatch_event_rule").map((rule) => {
      const text = plan.value(rule, ["event_pattern"]);
      let pattern: Record<string, unknown> = {};
      try {
        pattern = typeof text === "string" ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        // not a pattern the gate can read: it matches nothing here
      }
      return { rule, pattern };
    });
    const found: [string, string][] = [];
    for (const alert of REQUIRED_ALERTS) {
      const topics = rules.filter(({ pattern }) => alert.matches(pattern)).flatMap(({ rule }) => topicsOf(rule));
      if (topics.some(subscribed)) continue;
      if (topics.length > 0) found.push([topics[0].address, `receives ${alert.name}, but nobody subscribes to it: set costGuard.emails (or securityAlerts.emails), or turn on week 4's chat bot`]);
      else found.push([vpc.address, `no EventBridge rule sends ${alert.name} to an SNS topic`]);
    }
    const logging = plan.ofType("aws_cloudtrail").some((trail) => plan.value(trail, ["enable_logging"]) !== false);
    if (rules.some(({ pattern }) => includesValue(pattern["detail-type"], "AWS API Call via CloudTrail")) && !logging) {
      found.push([vpc.address, "rules match CloudTrail's events, but no trail logs: EventBridge receives them only while a trail does"]);
    }
    return found;
  },
};

/** The rules, in the order the gate reports them. */
export const SECURITY_RULES: readonly SecurityRule[] = [
  sshOpen,
  imdsV1,
  unencryptedVolumes,
  eksSecrets,
  eksLogging,
  eksPublicEndpoint,
  kmsRotation,
  trailValidation,
  ecrScanOnPush,
  snsEncryption,
  s3PublicAccessBlock,
  s3Encryption,
  logRetention,
  vpcFlowLogs,
  defaultSecurityGroup,
  publicInstanceAddress,
  sourceBucketAccessLogs,
  securityAlerts,
];

// ---- the gate ----------------------------------------------------------------------------------

export interface GateSkip<Id extends string = SecurityRuleId> {
  readonly rule: Id;
  readonly reason: string;
  /** Only this resource address; the whole rule when absent. */
  readonly resource?: string;
}

export interface StackPlan {
  readonly stack: string;
  readonly plan: PlanJson;
}

export interface RuleOutcome<Id extends string = SecurityRuleId> {
  readonly rule: Id;
  readonly title: string;
  readonly status: "passed" | "failed" | "skipped";
  /** Resources of the rule's types in the plans (subjects and the resources matched to them), over all stacks. */
  readonly checked: number;
  readonly findings: readonly Finding<Id>[];
  /** Findings a skip entry turned off, with the skip that did it. */
  readonly skippedFindings: readonly (Finding<Id> & { reason: string })[];
  /** Present when the whole rule was turned off in the config. */
  readonly skipReason?: string;
}

export interface GateReport<Id extends string = SecurityRuleId> {
  readonly passed: boolean;
  readonly outcomes: readonly RuleOutcome<Id>[];
  /** Skip entries, each reported with what it turned off. */
  readonly skips: readonly (GateSkip<Id> & { suppressed: number })[];
}

/**
 * Judges every rule's findings against the skips (a whole rule, or one resource `matches` names), and
 * reports each skip with what it turned off: skips are applied and reported, never dropped. Both gates
 * (AWS plans, and the Kubernetes stacks and manifests) share it; only what they check differs.
 */
export function judgeFindings<Id extends string>(
  results: readonly { readonly rule: { readonly id: Id; readonly title: string }; readonly findings: readonly Finding<Id>[]; readonly checked: number }[],
  skips: readonly GateSkip<Id>[],
  matches: (address: string, resource: string) => boolean,
): GateReport<Id> {
  const used = new Map<GateSkip<Id>, number>(skips.map((s) => [s, 0]));
  const outcomes = results.map(({ rule, findings: all, checked }): RuleOutcome<Id> => {
    const wholeRule = skips.find((s) => s.rule === rule.id && !s.resource);
    const findings: Finding<Id>[] = [];
    const skippedFindings: (Finding<Id> & { reason: string })[] = [];
    for (const finding of all) {
      const skip = wholeRule ?? skips.find((s) => s.rule === rule.id && s.resource !== undefined && matches(finding.address, s.resource));
      if (skip) {
        skippedFindings.push({ ...finding, reason: skip.reason });
        used.set(skip, (used.get(skip) ?? 0) + 1);
      } else findings.push(finding);
    }
    const status = wholeRule ? "skipped" : findings.length > 0 ? "failed" : "passed";
    return { rule: rule.id, title: rule.title, status, checked, findings, skippedFindings, skipReason: wholeRule?.reason };
  });
  return {
    passed: outcomes.every((o) => o.status !== "failed"),
    outcomes,
    skips: skips.map((s) => ({ ...s, suppressed: used.get(s) ?? 0 })),
  };
}

/** Runs every rule over every stack's plan; skips are applied and reported, never dropped. */
export function runSecurityGate(plans: readonly StackPlan[], skips: readonly GateSkip[] = [], rules: readonly SecurityRule[] = SECURITY_RULES): GateReport {
  const views = plans.map((p) => ({ stack: p.stack, view: new PlanView(p.plan) }));
  const results = rules.map((rule) => ({
    rule,
    findings: views.flatMap(({ stack, view }) => rule.check(view).map(([address, message]) => ({ rule: rule.id, stack, address, message }))),
    checked: views.reduce((n, { view }) => n + view.ofType(...rule.resourceTypes).length, 0),
  }));
  return judgeFindings(results, skips, matchesAddress);
}

function matchesAddress(address: string, pattern: string): boolean {
  return address === pattern || address.startsWith(`${pattern}[`);
}

/** The report as the learner reads it: one line per rule, then the findings and the skips with their reasons. */
export function formatGateReport(report: GateReport<string>): string {
  const lines: string[] = [];
  for (const o of report.outcomes) {
    const mark = o.status === "passed" ? "PASS" : o.status === "failed" ? "FAIL" : "SKIP";
    lines.push(`${mark} ${o.rule.padEnd(11)} ${o.title} (${o.checked} resource(s) of its types)`);
    if (o.status === "skipped") lines.push(`     skipped by config: ${o.skipReason}`);
    for (const f of o.findings) lines.push(`     ${f.stack}: ${f.address}: ${f.message}`);
    for (const f of o.skippedFindings) if (o.status !== "skipped") lines.push(`     skipped ${f.stack}: ${f.address}: ${f.message} (reason: ${f.reason})`);
  }
  const unused = report.skips.filter((s) => s.suppressed === 0);
  for (const s of unused) lines.push(`note: skip of ${s.rule}${s.resource ? ` for ${s.resource}` : ""} matched nothing (reason given: ${s.reason})`);
  const failed = report.outcomes.filter((o) => o.status === "failed").length;
  const skipped = report.outcomes.filter((o) => o.status === "skipped").length + report.outcomes.filter((o) => o.status !== "skipped" && o.skippedFindings.length > 0).length;
  lines.push(report.passed ? `security gate: passed (${skipped} rule(s) with skips)` : `security gate: FAILED, ${failed} rule(s) broken`);
  return lines.join("\n");
}
