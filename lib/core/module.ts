/**
 * The contract every week module implements. A module is a folder under `modules/` whose `module.ts`
 * exports one `defineModule({...})`; `modules/index.ts` registers it. The core validates the module's settings,
 * resolves dependencies, and calls `build` once per environment with the module's own construct scope.
 * `module.ts` imports only settings, validation helpers and the folder's `exports.ts` (the types of what
 * `build` returns, which other weeks read with `ctx.use(module)`); its `build` requires the folder's
 * `build.ts` (provider classes, constructs) on first call, so a synth loads the build code of enabled
 * weeks only. The folder's `index.ts` is a barrel of re-exports, for tests and tools.
 * test/foundation/contract-v2.test.ts holds the import rules.
 */
import type { Construct, IConstruct } from "constructs";
import type { z } from "zod";
import type { CoreConfig } from "./core-settings";
import type { AppliedState } from "../state/applied-state";
import type { ConfigProblem } from "./errors";
import type { Localized } from "./localized";
import type { WeekRunbook } from "../runbooks/facts";

export type { Localized } from "./localized";

/** The variable of a stack whose environment assumes the instructor's role only on request (`assumeRoleOnRequest`). */
export const ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE = "act_through_instructor_role";

/** One learner's (or the single user's) copy of the study infrastructure. */
export interface StudyEnvironment {
  /** Prefix of stack and resource names, e.g. `devops-weeks-dev`. */
  readonly name: string;
  /** Tags applied to every AWS resource of this environment (provider default_tags). */
  readonly tags: Readonly<Record<string, string>>;
  /** The VPC CIDR for this environment (classroom mode derives one per learner). */
  readonly vpcCidr: string;
  /**
   * A role the environment's AWS providers assume: the learner's account's OrganizationAccountAccessRole
   * in classroom account isolation. @default - none: the caller's own credentials and account
   */
  readonly assumeRoleArn?: string;
  /**
   * With `assumeRoleArn`: assume it only when Terraform's variable `act_through_instructor_role` is true (the
   * instructor, the class's CodeBuild batch, the lease), and otherwise use the caller's own credentials, which
   * are already the learner's account's (classroom `accounts.learnersApply`). @default false: always assume it
   */
  readonly assumeRoleOnRequest?: boolean;
}

/**
 * Where the environment's Kubernetes stack (`<environment>-k8s`) connects. A module that creates a
 * cluster (week 6, EKS) returns an "eks" target from `kubernetesTarget`; week 5 returns the kubeconfig
 * context the config names. An "eks" target wins; with neither, the kubeconfig's current context.
 */
export type KubernetesTarget =
  | {
      readonly kind: "eks";
      readonly clusterName: string;
      readonly region: string;
      /** How clients on the learner's machine (kubectl, the -k8s stack's providers) reach the API server. */
      readonly access: ClusterAccess;
    }
  | {
      readonly kind: "kubeconfig";
      /** Kubeconfig file, `~` allowed (the providers expand it), e.g. `~/.kube/config`. */
      readonly configPath: string;
      /** Context in that file, e.g. `kind-devops-weeks` or `minikube`; undefined = its current context. */
      readonly context?: string;
    };

/**
 * A shell command as a module writes it for the runbook: literal shell text, and Terraform outputs of
 * the AWS stack that the runbook reads in place (`"$(terraform -chdir=<stack> output -raw <name>)"`).
 */
export type RunbookCommand = readonly (string | { readonly output: string })[];

/** How the learner reaches a cluster's API from their own machine. */
export type ClusterAccess =
  | {
      /**
       * The endpoint is private to the VPC. A port forward through the bastion (SSM Session Manager, no
       * open port) listens on 127.0.0.1:<localPort>; clients connect there and check the server's
       * certificate against the endpoint's own name (`tls_server_name`).
       */
      readonly kind: "tunnel";
      readonly localPort: number;
      /** Opens the port forward; it runs until stopped, in a terminal of its own. */
      readonly open: RunbookCommand;
      /** Writes the kubeconfig entry that goes through the port forward. */
      readonly kubeconfig: readonly RunbookCommand[];
    }
  | {
      /** The public endpoint answers the source ranges the config names. */
      readonly kind: "public";
      readonly kubeconfig: readonly RunbookCommand[];
    };

/**
 * A step of the week's runbook page that a module gives, beyond applying the stacks: a command with
 * its place in the learner's order (e.g. CRDs the -k8s stack's charts need, before it is applied).
 */
export interface RunbookStep {
  /** Before the -k8s stack is applied (after the cluster is reachable), or after every stack is applied. */
  readonly when: "before-workloads" | "after-apply";
  /** Key of its one-line description in templates/<lang>/strings.json, e.g. `steps.gatewayApiCrds`. */
  readonly text: string;
  /** Values for the description's `{placeholders}`. */
  readonly params?: Readonly<Record<string, string | number>>;
  readonly commands: readonly RunbookCommand[];
}

/** Someone or somewhere outside AWS that a diagram flow starts or ends at. */
export type DiagramActor = "learner" | "internet";

/**
 * Something a diagram draws that no Terraform resource of this synth is: an AWS service the learner
 * uses on demand (SSM Session Manager), a load balancer Kubernetes creates, a Git host.
 */
export interface DiagramExternal {
  /** Key of its label in templates/<lang>/strings.json, e.g. `diagram.ssmSessionManager`; one node per key. */
  readonly external: string;
  /**
   * Where it is drawn: in the place of a construct (its subnet, VPC or namespace), in the AWS region, or
   * outside it (beside the learner and the internet).
   * @default "region"
   */
  readonly within?: IConstruct | "region" | "outside";
}

/**
 * One end of a flow: a construct this module built or another module exports (e.g. week 1's bastion),
 * drawn as the node of the first resource at or below it that the diagram draws (a ManagedInstance: its
 * EC2 instance) and, when another week built it, grey-dashed as context; a named actor; or an external node.
 */
export type DiagramEndpoint = IConstruct | { readonly actor: DiagramActor } | DiagramExternal;

/** A way through the week's infrastructure its diagram must show: an access path, a pipeline step, traffic. */
export interface DiagramFlow {
  readonly from: DiagramEndpoint;
  readonly to: DiagramEndpoint;
  /** Key of the edge's label in templates/<lang>/strings.json, e.g. `diagram.flow.ssmShell`. @default - no label */
  readonly label?: string;
  /** Values for the label's `{placeholders}`. */
  readonly params?: Readonly<Record<string, string | number>>;
}

export interface OutputOptions {
  /** The stack that carries the output: the AWS stack (default) or the `-k8s` workloads stack. */
  readonly stack?: "aws" | "workloads";
  /** Terraform prints it only on `terraform output -json <name>` (passwords): the page lists it with that command. */
  readonly sensitive?: boolean;
}

export interface BuildContext<Settings> {
  /** This module's construct, inside the environment's AWS stack. */
  readonly scope: Construct;
  readonly settings: Settings;
  readonly study: CoreConfig;
  readonly environment: StudyEnvironment;
  readonly availabilityZones: readonly string[];
  /** `<environment>-<suffix>`: the name of a resource as the learner will see it in the console. */
  name(suffix: string): string;
  /** Whether a module is enabled in this synth (for optional integrations, e.g. alarms to week 4's topic). */
  has(moduleId: string): boolean;
  /** Another module's validated settings, enabled or not (e.g. the cost guard's alert addresses). */
  settingsOf<S>(module: StudyModule<S, unknown>): S;
  /**
   * What an enabled module's `build` returned, typed by the module's definition: `ctx.use(eksModule)`
   * gives `EksExports`. Throws if it is not enabled: declare it in `requires` (or ask `has` first).
   */
  use<Exports>(module: StudyModule<unknown, Exports>): Exports;
  /** The same by id, typed by the caller (`ctx.use<EksExports>("eks")`), for a module whose definition cannot be imported. */
  use<Exports>(moduleId: string): Exports;
  /**
   * A snake_case Terraform output of the AWS stack (or, with `{ stack: "workloads" }`, of the `-k8s` stack).
   * A string description is English, and the pages take its words from templates/<lang>/outputs.json; a
   * `Localized` one carries its own words (Terraform gets the English).
   */
  output(name: string, value: unknown, description: string | Localized, options?: OutputOptions): void;
  /**
   * This module's construct inside the environment's Kubernetes stack, `<environment>-k8s`
   * (e.g. `devops-weeks-dev-k8s`), for Kubernetes and Helm resources. The stack is created on the
   * first call of any module, with the `kubernetes` and `helm` providers pointed at `kubernetesTarget`
   * (for EKS: an `aws_eks_cluster` data source by name and a token from `aws eks get-token`), local
   * state beside the AWS stack's, and a dependency on the AWS stack: apply the AWS stack first.
   * `KubernetesStudyStack.of(scope)` (lib/core/stacks.ts) gives the stack and, for EKS, its cluster data source.
   */
  workloads(): Construct;
  /** Where the `-k8s` stack connects; known before any module builds, and without creating the stack. */
  readonly kubernetesTarget: KubernetesTarget;
  /**
   * Writes a generated file into out/ with this synth, e.g. `cicd/devops-weeks-dev/appspec.yml`
   * (a relative posix path, not under `stacks/`). Files are written only when the whole synth succeeds.
   * `{ executable: true }` gives mode 0755 (hook scripts a deployment agent runs).
   */
  writeFile(relativePath: string, content: string, options?: { readonly executable?: boolean }): void;
  /** Adds a step to this week's runbook page (see RunbookStep). */
  step(step: RunbookStep): void;
  /**
   * Adds a flow to this week's diagram, drawn as a thick labeled edge in the order given (see
   * DiagramFlow): the paths a learner would otherwise have to read out of the resources, such as
   * `learner -> SSM Session Manager -> bastion`.
   */
  diagramFlow(flow: DiagramFlow): void;
}

/** What a module's `validate` may know of the rest of the synth. */
export interface SelectionView {
  /** Whether a module is enabled in this synth. */
  has(moduleId: string): boolean;
  /** Another module's validated settings (its defaults when the config leaves its section out). */
  settingsOf<S>(module: StudyModule<S, unknown>): S;
  /** How many environments this synth builds in one account: 1, or the learners of a class. */
  readonly environments: number;
  /**
   * What Terraform recorded the last time a stack of this synth (the AWS stack is named like its
   * environment) was applied from this machine: the local state file, or `remote` with the s3 backend.
   * For rules about changes an apply would not make in place (lib/state/applied-state.ts).
   */
  appliedState(stackName: string): AppliedState;
}

/**
 * How a resource type a module creates bills, for a type the cost table (lib/runbooks/costs.ts) does
 * not price: a new week declares its own, so synth and the unpriced-type check know it.
 */
export type ResourceCost =
  /** Bills nothing by itself; the reason is for the module's reader (configuration of a priced resource, a free service). */
  | { readonly free: string }
  /** Billed by use, shown as a row without a number: what is billed, and how. */
  | { readonly usage: Localized; readonly note: Localized };

export interface StudyModule<Settings, Exports> {
  /** Registry key and the config section that holds this module's settings. */
  readonly id: string;
  readonly week: number;
  readonly title: Localized;
  /** Modules that must be enabled for this one to work; enabling this module enables them. */
  readonly requires?: readonly string[];
  /** On in every synth, whatever the weeks (the cost guard: an account bills from the first apply). */
  readonly alwaysOn?: boolean;
  /** Schema of the module's config section, every field defaulted, objects strict. */
  readonly settings: z.ZodType<Settings>;
  /** Lines synth prints on every run while the config is as it is: a warning that is not an error (no budget alert). */
  notices?(settings: Settings, study: CoreConfig): readonly string[];
  /**
   * Rules across fields, against the core config, or against the other enabled weeks' settings
   * (`selection`), that the schema alone cannot express.
   */
  validate?(settings: Settings, study: CoreConfig, environment: StudyEnvironment, selection: SelectionView): ConfigProblem[];
  build(context: BuildContext<Settings>): Exports;
  /**
   * Modules to build before this one when they are enabled, without requiring them (e.g. week 5
   * uses week 6's cluster when it is on, and runs on a local cluster when it is not).
   */
  readonly after?: readonly string[];
  /**
   * What the week's page says that only this week knows (checks, cheaper options, a release), loaded on
   * first use like `build`: `runbook: () => (require("./runbook") as typeof import("./runbook")).xRunbook`.
   * lib/runbooks gives the rules that follow from resource types alone.
   */
  readonly runbook?: () => WeekRunbook;
  /** Costs of resource types this module creates that lib/runbooks/costs.ts does not price, by Terraform type. */
  readonly resourceCosts?: Readonly<Record<string, ResourceCost>>;
  /** Where the `-k8s` stack should connect, if this module decides it (see KubernetesTarget). */
  kubernetesTarget?(settings: Settings, study: CoreConfig, environment: StudyEnvironment): KubernetesTarget | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStudyModule = StudyModule<any, any>;

export function defineModule<Settings, Exports>(module: StudyModule<Settings, Exports>): StudyModule<Settings, Exports> {
  return module;
}
