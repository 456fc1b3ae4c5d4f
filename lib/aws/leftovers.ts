/**
 * What still exists, and may bill, after `terraform destroy` of an environment: anything that carries
 * its tags (Resource Groups Tagging API), load balancers and volumes that Kubernetes created for its
 * cluster, Elastic IPs, images left in ECR, log groups AWS services created, snapshots. Each with the
 * command that deletes it. Runs the AWS CLI (read-only calls) and reads its JSON; `npm run leftovers`
 * is the learner's entry point, and the tests replay recorded responses.
 */
import { shellWord } from "../core/shell";

export interface LeftoverQuery {
  /** The environment's name, `<project>-<environment>` (or a learner's), the prefix of its log groups. */
  readonly environment: string;
  readonly project: string;
  /** Its `Environment` tag; by default the name after `<project>-`. */
  readonly environmentTag?: string;
  /** Its `Learner` tag, in classroom mode: the class's environments share Project and Environment. */
  readonly learner?: string;
  readonly region: string;
  /** The EKS cluster's name, when the environment had one. */
  readonly cluster?: string;
}

export interface Leftover {
  readonly what: string;
  readonly id: string;
  /** The command that deletes it (after reading what it is). */
  readonly deleteCommand: string;
}

/** Runs one AWS CLI call (`aws <args> --output json`) and returns its parsed answer. */
export type AwsCli = (args: readonly string[]) => unknown;

export function findLeftovers(query: LeftoverQuery, aws: AwsCli): Leftover[] {
  const region = ["--region", query.region];
  const found = new Map<string, Leftover>();
  const add = (leftover: Leftover) => found.set(leftover.id, leftover);
  const r = shellWord(query.region);

  // 1. Anything tagged for this environment (every resource Terraform made carries Project and Environment).
  const learner = query.learner ? [`Key=Learner,Values=${query.learner}`] : [];
  const tagged = aws(["resourcegroupstaggingapi", "get-resources", ...region, "--tag-filters", `Key=Project,Values=${query.project}`, `Key=Environment,Values=${environmentTag(query)}`, ...learner]) as TaggedResources;
  for (const { ResourceARN: arn } of tagged.ResourceTagMappingList ?? []) add(fromArn(arn, r));

  if (query.cluster) {
    // 2. What Kubernetes made for the cluster: load balancers (AWS Load Balancer Controller, in-tree) and volumes.
    for (const key of [`elbv2.k8s.aws/cluster`, `kubernetes.io/cluster/${query.cluster}`]) {
      const filters = key === "elbv2.k8s.aws/cluster" ? ["--tag-filters", `Key=${key},Values=${query.cluster}`] : ["--tag-filters", `Key=${key}`];
      const answer = aws(["resourcegroupstaggingapi", "get-resources", ...region, ...filters]) as TaggedResources;
      for (const { ResourceARN: arn } of answer.ResourceTagMappingList ?? []) add(fromArn(arn, r));
    }
    const volumes = aws(["ec2", "describe-volumes", ...region, "--filters", `Name=tag-key,Values=kubernetes.io/cluster/${query.cluster}`]) as { Volumes?: { VolumeId: string; State: string; Size: number }[] };
    for (const volume of volumes.Volumes ?? []) {
      add({ what: `EBS volume (${volume.Size} GiB, ${volume.State}) of a PersistentVolumeClaim`, id: volume.VolumeId, deleteCommand: `aws ec2 delete-volume --region ${r} --volume-id ${shellWord(volume.VolumeId)}` });
    }
  }

  // 3. Elastic IPs with no association bill 0.005 USD/h each.
  const learnerFilter = query.learner ? [`Name=tag:Learner,Values=${query.learner}`] : [];
  const addresses = aws(["ec2", "describe-addresses", ...region, "--filters", `Name=tag:Environment,Values=${environmentTag(query)}`, ...learnerFilter]) as { Addresses?: { AllocationId: string; PublicIp: string }[] };
  for (const address of addresses.Addresses ?? []) {
    add({ what: `Elastic IP ${address.PublicIp}`, id: address.AllocationId, deleteCommand: `aws ec2 release-address --region ${r} --allocation-id ${shellWord(address.AllocationId)}` });
  }

  // 4. Log groups that AWS services made for this environment themselves (no Terraform owns them).
  const prefixes = [`/aws/lambda/${query.environment}`, `/aws/codebuild/${query.environment}`, `/devops-weeks/${query.environment}`, ...(query.cluster ? [`/aws/eks/${query.cluster}`, `/aws/containerinsights/${query.cluster}`] : [])];
  for (const prefix of prefixes) {
    const groups = aws(["logs", "describe-log-groups", ...region, "--log-group-name-prefix", prefix]) as { logGroups?: { logGroupName: string; storedBytes?: number }[] };
    for (const group of groups.logGroups ?? []) {
      add({ what: `CloudWatch log group (${group.storedBytes ?? 0} bytes stored)`, id: group.logGroupName, deleteCommand: `aws logs delete-log-group --region ${r} --log-group-name ${shellWord(group.logGroupName)}` });
    }
  }

  // 5. Snapshots of the environment's volumes.
  const snapshots = aws(["ec2", "describe-snapshots", ...region, "--owner-ids", "self", "--filters", `Name=tag:Environment,Values=${environmentTag(query)}`, ...learnerFilter]) as { Snapshots?: { SnapshotId: string; VolumeSize: number }[] };
  for (const snapshot of snapshots.Snapshots ?? []) {
    add({ what: `EBS snapshot (${snapshot.VolumeSize} GiB)`, id: snapshot.SnapshotId, deleteCommand: `aws ec2 delete-snapshot --region ${r} --snapshot-id ${shellWord(snapshot.SnapshotId)}` });
  }
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The Environment tag the study sets: the part of the environment's name after the project. */
function environmentTag(query: LeftoverQuery): string {
  if (query.environmentTag) return query.environmentTag;
  return query.environment.startsWith(`${query.project}-`) ? query.environment.slice(query.project.length + 1) : query.environment;
}

interface TaggedResources {
  readonly ResourceTagMappingList?: { readonly ResourceARN: string }[];
}

/** What a tagged ARN is, and the command that deletes it (ECR repositories with their images). */
function fromArn(arn: string, region: string): Leftover {
  const parts = arn.split(":");
  const service = parts[2];
  const resource = parts.slice(5).join(":");
  const quoted = shellWord(arn);
  const command = (text: string) => `aws ${text}`;
  if (service === "s3") return { what: "S3 bucket, with what it holds", id: arn, deleteCommand: command(`s3 rb ${shellWord(`s3://${resource}`)} --force`) };
  const kind = resource.split(/[/:]/)[0];
  const name = resource.slice(kind.length + 1).replace(/:\*$/, "");
  switch (`${service}:${kind}`) {
    case "elasticloadbalancing:loadbalancer":
      return { what: "Load balancer (billed by the hour, with its public addresses)", id: arn, deleteCommand: command(`elbv2 delete-load-balancer --region ${region} --load-balancer-arn ${quoted}`) };
    case "elasticloadbalancing:targetgroup":
      return { what: "Target group", id: arn, deleteCommand: command(`elbv2 delete-target-group --region ${region} --target-group-arn ${quoted}`) };
    case "ec2:volume":
      return { what: "EBS volume", id: arn, deleteCommand: command(`ec2 delete-volume --region ${region} --volume-id ${shellWord(name)}`) };
    case "ec2:elastic-ip":
      return { what: "Elastic IP", id: arn, deleteCommand: command(`ec2 release-address --region ${region} --allocation-id ${shellWord(name)}`) };
    case "ec2:security-group":
      return { what: "Security group (blocks deleting the VPC)", id: arn, deleteCommand: command(`ec2 delete-security-group --region ${region} --group-id ${shellWord(name)}`) };
    case "ecr:repository":
      return { what: "ECR repository, with the images still in it", id: arn, deleteCommand: command(`ecr delete-repository --region ${region} --repository-name ${shellWord(name)} --force`) };
    case "logs:log-group":
      return { what: "CloudWatch log group", id: arn, deleteCommand: command(`logs delete-log-group --region ${region} --log-group-name ${shellWord(name)}`) };
    case "kms:key":
      return { what: "KMS key (billed until its deletion window ends)", id: arn, deleteCommand: command(`kms schedule-key-deletion --region ${region} --key-id ${shellWord(name)} --pending-window-in-days 7`) };
  }
  return { what: `${service} ${kind}`.trim(), id: arn, deleteCommand: `open it in the console: https://${region}.console.aws.amazon.com/resource-groups/tag-editor (tagged ${arn})` };
}

/** The report: "nothing left" or each item with the command that deletes it. */
export function formatLeftovers(query: LeftoverQuery, leftovers: readonly Leftover[]): string {
  if (leftovers.length === 0) return `nothing left: no resource of ${query.environment} was found in ${query.region}.\n`;
  const lines = [`${leftovers.length} thing(s) of ${query.environment} still exist in ${query.region}; each may bill until deleted:`, ""];
  for (const item of leftovers) lines.push(`- ${item.what}: ${item.id}`, `    ${item.deleteCommand}`);
  return `${lines.join("\n")}\n`;
}
