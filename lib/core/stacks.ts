import type { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, type TerraformResource, TerraformStack, TerraformVariable } from "cdktf";
import { useStateBackend } from "../state/backend";
import { logicalIdAt } from "./cdktf-adapter";
import { literalText, literalValues } from "./terraform-text";
import type { Construct, IConstruct } from "constructs";
import { ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE, type KubernetesTarget, type StudyEnvironment } from "./module";

export interface AwsStackProps {
  readonly region: string;
  readonly environment: StudyEnvironment;
}

/** The environment's AWS stack: every AWS-side resource of every enabled week. */
export class AwsStudyStack extends TerraformStack {
  private readonly regionalProviders = new Map<string, AwsProvider>();
  private readonly moves: { from: string; to: string }[] = [];

  /** The AWS stack that holds `scope`. */
  static of(scope: IConstruct): AwsStudyStack {
    const stack = TerraformStack.of(scope);
    if (!(stack instanceof AwsStudyStack)) throw new Error(`${scope.node.path} is not inside an environment's AWS stack`);
    return stack;
  }

  constructor(scope: Construct, name: string, private readonly props: AwsStackProps) {
    super(scope, name);
    useStateBackend(this, name);
    new AwsProvider(this, "aws", {
      region: props.region,
      // Tag values are the config's text: literal for Terraform, whatever they contain.
      defaultTags: [{ tags: literalValues({ ...props.environment.tags }) }],
      assumeRole: assumeRoleOf(this, props.environment),
    });
  }

  /**
   * A provider for another region, with the same default tags, shared by every module that needs that
   * region (IAM and sign-in events reach EventBridge only in us-east-1). Its alias is the region's name.
   */
  providerFor(region: string): AwsProvider {
    let provider = this.regionalProviders.get(region);
    if (!provider) {
      provider = new AwsProvider(this, `aws-${region}`, { alias: region.replace(/-/g, "_"), region, defaultTags: [{ tags: literalValues({ ...this.props.environment.tags }) }], assumeRole: assumeRoleOf(this, this.props.environment) });
      this.regionalProviders.set(region, provider);
    }
    return provider;
  }

  /**
   * Tells Terraform that a resource built under `fromPath` (construct ids below the stack) is now
   * `resource`: a `moved` block, so that state written before a module took the resource over is
   * carried to the new address instead of destroyed and created again. A no-op for state without it.
   */
  movedFrom(fromPath: readonly string[], resource: TerraformResource): void {
    const to = `${resource.terraformResourceType}.${this.getLogicalId(resource)}`;
    this.moves.push({ from: `${resource.terraformResourceType}.${logicalIdAt(this, fromPath)}`, to });
    this.addOverride("moved", [...this.moves]);
  }
}

/**
 * The role an environment's providers assume, as Terraform text: the ARN itself, or with
 * `assumeRoleOnRequest` the ARN only when the stack's variable `act_through_instructor_role` is true and
 * "" otherwise (an empty role_arn assumes nothing: hashicorp/terraform-provider-aws#39328, in 5.68.0 and
 * later), so one stack serves the learner's own credentials and the instructor's. Undefined with no role.
 */
function roleArnOf(stack: TerraformStack, environment: StudyEnvironment): string | undefined {
  const roleArn = environment.assumeRoleArn;
  if (!roleArn || !environment.assumeRoleOnRequest) return roleArn;
  return Fn.conditional(actThroughInstructorRole(stack, roleArn).booleanValue, roleArn, "") as string;
}

/** The stack's `act_through_instructor_role` variable (one per stack, however many providers read it). */
function actThroughInstructorRole(stack: TerraformStack, roleArn: string): TerraformVariable {
  const existing = stack.node.tryFindChild(ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE) as TerraformVariable | undefined;
  return (
    existing ??
    new TerraformVariable(stack, ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE, {
      type: "bool",
      default: false,
      description: `true: act through ${roleArn} (the instructor, the class's CodeBuild batch, the lease); false: the caller's own credentials, the learner's in their account`,
    })
  );
}

/**
 * The provider's `assume_role` for an environment in a learner's own account (classroom account
 * isolation): the instructor's credentials, in the management account, become the account's
 * OrganizationAccountAccessRole (with learnersApply, only when asked: roleArnOf). None otherwise, so
 * other stacks' JSON is unchanged.
 */
function assumeRoleOf(stack: TerraformStack, environment: StudyEnvironment): { roleArn: string; sessionName: string }[] | undefined {
  const roleArn = roleArnOf(stack, environment);
  return roleArn ? [{ roleArn, sessionName: fitSessionName(environment.name) }] : undefined;
}

/** STS session names: 2-64 characters of [\w+=,.@-]; environment names are already of that alphabet. */
function fitSessionName(name: string): string {
  return name.slice(0, 64);
}

/** The name of an environment's Kubernetes stack: `<environment>-k8s`. */
export function kubernetesStackName(environmentName: string): string {
  return `${environmentName}-k8s`;
}

export interface KubernetesStackProps {
  readonly target: KubernetesTarget;
  readonly environment: StudyEnvironment;
}

/**
 * The environment's Kubernetes stack: workloads of every week that deploys into a cluster, through the
 * `kubernetes` and `helm` providers. Kept apart from the AWS stack because those providers need a
 * running cluster to plan: apply the AWS stack first, then this one; destroy in the reverse order.
 */
export class KubernetesStudyStack extends TerraformStack {
  readonly target: KubernetesTarget;
  /** For an EKS target: the cluster, read by name (endpoint, CA, `vpcConfig.vpcId`, OIDC issuer). */
  readonly eksCluster?: DataAwsEksCluster;

  /** The Kubernetes stack that holds a construct (e.g. the scope `ctx.workloads()` returned). */
  static of(construct: IConstruct): KubernetesStudyStack {
    const stack = TerraformStack.of(construct);
    if (!(stack instanceof KubernetesStudyStack)) throw new Error(`${construct.node.path} is not inside a Kubernetes stack: use ctx.workloads()`);
    return stack;
  }

  constructor(scope: Construct, name: string, props: KubernetesStackProps) {
    super(scope, name);
    // Loaded here rather than at the top: a synth without Kubernetes weeks never loads these classes.
    const { KubernetesProvider } = require("@cdktf/provider-kubernetes/lib/provider") as typeof import("@cdktf/provider-kubernetes/lib/provider");
    const { HelmProvider } = require("@cdktf/provider-helm/lib/provider") as typeof import("@cdktf/provider-helm/lib/provider");
    const { DataAwsEksCluster: EksClusterData } = require("@cdktf/provider-aws/lib/data-aws-eks-cluster") as typeof import("@cdktf/provider-aws/lib/data-aws-eks-cluster");
    this.target = props.target;
    useStateBackend(this, name);
    const target = props.target;
    // Construct ids carry a prefix: modules' workloads() scopes are named after module ids (e.g. "kubernetes").
    if (target.kind === "kubeconfig") {
      const kubeconfig = { configPath: literalText(target.configPath), configContext: target.context === undefined ? undefined : literalText(target.context) };
      new KubernetesProvider(this, "provider-kubernetes", kubeconfig);
      new HelmProvider(this, "provider-helm", { kubernetes: kubeconfig });
      return;
    }
    // An AWS provider only for EKS (a kind or minikube learner needs no AWS credentials here). The
    // cluster is read by name, so this stack takes nothing from the AWS stack's state, and the
    // token comes from the AWS CLI at each run instead of being stored in state.
    new AwsProvider(this, "provider-aws", { region: target.region, defaultTags: [{ tags: literalValues({ ...props.environment.tags }) }], assumeRole: assumeRoleOf(this, props.environment) });
    this.eksCluster = new EksClusterData(this, "eks-cluster-data", { name: target.clusterName });
    // A private endpoint is reached through the SSM port forward the runbook opens first: the providers
    // connect to 127.0.0.1 and check the certificate against the endpoint's own name.
    const tunnel = target.access.kind === "tunnel" ? target.access : undefined;
    const connection = {
      host: tunnel ? `https://127.0.0.1:${tunnel.localPort}` : this.eksCluster.endpoint,
      tlsServerName: tunnel ? Fn.replace(this.eksCluster.endpoint, "https://", "") : undefined,
      clusterCaCertificate: Fn.base64decode(this.eksCluster.certificateAuthority.get(0).data),
    };
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      // In a learner's own account (classroom account isolation) the token is the assumed role's.
      args: eksTokenArgs(this, target, props.environment),
    };
    new KubernetesProvider(this, "provider-kubernetes", { ...connection, exec: [exec] });
    new HelmProvider(this, "provider-helm", { kubernetes: { ...connection, exec } });
  }
}

/**
 * `aws eks get-token`'s arguments for the providers' exec: in a learner's own account the token is the
 * assumed role's (`--role-arn`), with `assumeRoleOnRequest` only when the stack's variable asks for it.
 */
function eksTokenArgs(stack: TerraformStack, target: { clusterName: string; region: string }, environment: StudyEnvironment): string[] {
  const base = ["eks", "get-token", "--cluster-name", target.clusterName, "--region", target.region];
  const roleArn = environment.assumeRoleArn;
  if (!roleArn) return base;
  if (!environment.assumeRoleOnRequest) return [...base, "--role-arn", roleArn];
  return Fn.concat([base, Fn.conditional(actThroughInstructorRole(stack, roleArn).booleanValue, ["--role-arn", roleArn], [])]) as unknown as string[];
}
