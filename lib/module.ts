/**
 * The contract every week module implements. A module is a folder under `modules/` whose `module.ts`
 * exports one `defineModule({...})`; `modules/index.ts` registers it. The core validates the module's settings,
 * resolves dependencies, and calls `build` once per environment with the module's own construct scope.
 * `module.ts` imports only settings and validation helpers; its `build` requires the folder's `index.ts`
 * (provider classes, constructs) on first call, so a synth loads the build code of enabled weeks only.
 */
import type { Construct } from "constructs";
import type { z } from "zod";
import type { CoreConfig } from "./config";
import type { ConfigProblem } from "./errors";

export interface Localized {
  readonly ko: string;
  readonly en: string;
}

/** One learner's (or the single user's) copy of the study infrastructure. */
export interface StudyEnvironment {
  /** Prefix of stack and resource names, e.g. `devops-weeks-dev`. */
  readonly name: string;
  /** Tags applied to every AWS resource of this environment (provider default_tags). */
  readonly tags: Readonly<Record<string, string>>;
  /** The VPC CIDR for this environment (classroom mode derives one per learner). */
  readonly vpcCidr: string;
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
    }
  | {
      readonly kind: "kubeconfig";
      /** Kubeconfig file, `~` allowed (the providers expand it), e.g. `~/.kube/config`. */
      readonly configPath: string;
      /** Context in that file, e.g. `kind-devops-weeks` or `minikube`; undefined = its current context. */
      readonly context?: string;
    };

export interface OutputOptions {
  /** The stack that carries the output: the AWS stack (default) or the `-k8s` workloads stack. */
  readonly stack?: "aws" | "workloads";
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
  /** What an enabled module's `build` returned. Throws if it is not enabled: declare it in `requires`. */
  use<Exports>(moduleId: string): Exports;
  /** A snake_case Terraform output of the AWS stack (or, with `{ stack: "workloads" }`, of the `-k8s` stack). */
  output(name: string, value: unknown, description: string, options?: OutputOptions): void;
  /**
   * This module's construct inside the environment's Kubernetes stack, `<environment>-k8s`
   * (e.g. `devops-weeks-dev-k8s`), for Kubernetes and Helm resources. The stack is created on the
   * first call of any module, with the `kubernetes` and `helm` providers pointed at `kubernetesTarget`
   * (for EKS: an `aws_eks_cluster` data source by name and a token from `aws eks get-token`), local
   * state beside the AWS stack's, and a dependency on the AWS stack: apply the AWS stack first.
   * `KubernetesStudyStack.of(scope)` (lib/stacks.ts) gives the stack and, for EKS, its cluster data source.
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
}

export interface StudyModule<Settings, Exports> {
  /** Registry key and the config section that holds this module's settings. */
  readonly id: string;
  readonly week: number;
  readonly title: Localized;
  /** Modules that must be enabled for this one to work; enabling this module enables them. */
  readonly requires?: readonly string[];
  /** Schema of the module's config section, every field defaulted, objects strict. */
  readonly settings: z.ZodType<Settings>;
  /** Rules across fields (or against the core config) that the schema alone cannot express. */
  validate?(settings: Settings, study: CoreConfig, environment: StudyEnvironment): ConfigProblem[];
  build(context: BuildContext<Settings>): Exports;
  /**
   * Modules to build before this one when they are enabled, without requiring them (e.g. week 5
   * uses week 6's cluster when it is on, and runs on a local cluster when it is not).
   */
  readonly after?: readonly string[];
  /** Where the `-k8s` stack should connect, if this module decides it (see KubernetesTarget). */
  kubernetesTarget?(settings: Settings, study: CoreConfig, environment: StudyEnvironment): KubernetesTarget | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStudyModule = StudyModule<any, any>;

export function defineModule<Settings, Exports>(module: StudyModule<Settings, Exports>): StudyModule<Settings, Exports> {
  return module;
}
