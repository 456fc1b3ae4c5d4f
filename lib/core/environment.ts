/** Builds one environment: its AWS stack and, inside it, every enabled module in dependency order. */
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import type { StudyConfig } from "./config";
import type { AnyStudyModule, BuildContext, Localized, DiagramActor, DiagramEndpoint, DiagramFlow, KubernetesTarget, RunbookStep, StudyEnvironment, StudyModule } from "./module";
import { AwsStudyStack, KubernetesStudyStack, kubernetesStackName } from "./stacks";

const OUTPUT_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * An environment as synth wrote it, in data only (no constructs): what the runbooks, the learners' sheets
 * and the checks after synth read. A built environment is one; so is a stamped one (lib/core/environment-stamps.ts).
 */
export interface EnvironmentRecord {
  readonly environment: StudyEnvironment;
  /** The names of its stacks: the AWS one, and the `<environment>-k8s` one when a module asked for it with `ctx.workloads()`. */
  readonly stacks: { readonly aws: string; readonly kubernetes?: string };
  /** Where the `-k8s` stack connects; only with that stack. */
  readonly kubernetesTarget?: KubernetesTarget;
  /** The Terraform outputs each module declared, by module id (runbooks list them per week). */
  readonly outputsByModule: ReadonlyMap<string, readonly ModuleOutput[]>;
  /** Extra generated files (ctx.writeFile), by path relative to out/; synth writes them beside the stacks. */
  readonly files: ReadonlyMap<string, GeneratedFile>;
  /** Runbook steps each module gave (ctx.step), by module id, in the order given. */
  readonly stepsByModule: ReadonlyMap<string, readonly RunbookStep[]>;
  /** Diagram flows each module declared (ctx.diagramFlow), by module id, in the order given. */
  readonly flowsByModule: ReadonlyMap<string, readonly RecordedFlow[]>;
}

/** The names of an environment's stacks, the AWS one first. */
export function stackNamesOf(environment: EnvironmentRecord): string[] {
  return [environment.stacks.aws, ...(environment.stacks.kubernetes ? [environment.stacks.kubernetes] : [])];
}

/** The record alone, without constructs: what stays of a built environment once its stacks are written. */
export function environmentRecord(environment: EnvironmentRecord): EnvironmentRecord {
  const { stacks, kubernetesTarget, outputsByModule, files, stepsByModule, flowsByModule } = environment;
  return { environment: environment.environment, stacks, ...(kubernetesTarget ? { kubernetesTarget } : {}), outputsByModule, files, stepsByModule, flowsByModule };
}

/** An environment cdktf built: its record, its stacks' constructs, and what each module's build returned. */
export interface BuiltEnvironment extends EnvironmentRecord {
  readonly awsStack: AwsStudyStack;
  readonly kubernetesStack?: KubernetesStudyStack;
  /** What each enabled module's build returned, by module id. */
  readonly exports: ReadonlyMap<string, unknown>;
}

/** A construct by the stack it is in and its path there, as the stack JSON's metadata names it. */
export interface ConstructRef {
  readonly stack: string;
  /** `devops-weeks-dev/network/bastion`: the stack, the module and the path below it. */
  readonly path: string;
}

/** A flow's end as the runbooks read it: no construct objects, only names. */
export type FlowEnd =
  | ({ readonly kind: "construct" } & ConstructRef)
  | { readonly kind: "actor"; readonly actor: DiagramActor }
  | { readonly kind: "external"; readonly key: string; readonly within: ConstructRef | "region" | "outside" };

export interface RecordedFlow {
  readonly from: FlowEnd;
  readonly to: FlowEnd;
  readonly label?: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

export interface GeneratedFile {
  readonly content: string;
  readonly executable: boolean;
  /** The module that wrote it: the week whose page lists it. */
  readonly moduleId: string;
}

export interface ModuleOutput {
  readonly stack: string;
  readonly name: string;
  /** The English description Terraform carries. */
  readonly description: string;
  /** The module's own words per language, when it gave them (a week the language files do not know). */
  readonly localized?: Localized;
  /** Shown only by `terraform output -json <name>`. */
  readonly sensitive?: boolean;
}

export function buildEnvironment(app: Construct, config: StudyConfig, environment: StudyEnvironment, modules: readonly AnyStudyModule[]): BuiltEnvironment {
  const awsStack = new AwsStudyStack(app, environment.name, { region: config.core.region, environment });
  const exports = new Map<string, unknown>();
  const outputsByModule = new Map<string, ModuleOutput[]>();
  const enabled = new Set(modules.map((m) => m.id));
  const files = new Map<string, GeneratedFile>();
  const stepsByModule = new Map<string, RunbookStep[]>();
  const flowsByModule = new Map<string, RecordedFlow[]>();
  const kubernetesTarget = resolveKubernetesTarget(config, environment, modules);
  let kubernetesStack: KubernetesStudyStack | undefined;
  const workloadsStack = () => {
    if (!kubernetesStack) {
      kubernetesStack = new KubernetesStudyStack(app, kubernetesStackName(environment.name), { target: kubernetesTarget, environment });
      kubernetesStack.addDependency(awsStack);
    }
    return kubernetesStack;
  };

  for (const module of modules) {
    const scope = new Construct(awsStack, module.id);
    let workloads: Construct | undefined;
    const context: BuildContext<unknown> = {
      scope,
      settings: config.settings[module.id],
      study: config.core,
      environment,
      availabilityZones: config.availabilityZones,
      name: (suffix) => `${environment.name}-${suffix}`,
      has: (id) => enabled.has(id),
      settingsOf: <S>(other: StudyModule<S, unknown>) => config.settings[other.id] as S,
      use: ((other: string | AnyStudyModule) => {
        const id = typeof other === "string" ? other : other.id;
        if (!exports.has(id)) throw new Error(`module "${module.id}" uses "${id}", which is not enabled or not built yet: add it to "requires"`);
        return exports.get(id);
      }) as BuildContext<unknown>["use"],
      output: (name, value, described, options) => {
        if (!OUTPUT_NAME.test(name)) throw new Error(`output "${name}" of module "${module.id}" is not snake_case`);
        const stack = options?.stack === "workloads" ? workloadsStack() : awsStack;
        const description = typeof described === "string" ? described : described.en;
        new TerraformOutput(stack, name, { value, description, ...(options?.sensitive ? { sensitive: true } : {}) });
        const recorded: ModuleOutput = { stack: stack.node.id, name, description, ...(typeof described === "string" ? {} : { localized: described }), ...(options?.sensitive ? { sensitive: true } : {}) };
        outputsByModule.set(module.id, [...(outputsByModule.get(module.id) ?? []), recorded]);
      },
      workloads: () => (workloads ??= new Construct(workloadsStack(), module.id)),
      kubernetesTarget,
      writeFile: (relativePath, content, options) => {
        const path = relativePath.split("/");
        if (!relativePath || relativePath.startsWith("/") || path.some((part) => part === "" || part === "." || part === "..") || path[0] === "stacks") {
          throw new Error(`module "${module.id}" writes "${relativePath}": expected a relative path inside out/, not under stacks/`);
        }
        if (files.has(relativePath)) throw new Error(`module "${module.id}" writes "${relativePath}", which another module already wrote`);
        files.set(relativePath, { content, executable: options?.executable ?? false, moduleId: module.id });
      },
      step: (step) => stepsByModule.set(module.id, [...(stepsByModule.get(module.id) ?? []), step]),
      diagramFlow: (flow) => flowsByModule.set(module.id, [...(flowsByModule.get(module.id) ?? []), recordFlow(module.id, flow)]),
    };
    exports.set(module.id, module.build(context));
  }
  const stacks = { aws: awsStack.node.id, ...(kubernetesStack ? { kubernetes: kubernetesStack.node.id } : {}) };
  return { environment, stacks, ...(kubernetesStack ? { kubernetesTarget: kubernetesStack.target } : {}), awsStack, kubernetesStack, exports, outputsByModule, files, stepsByModule, flowsByModule };
}

function recordFlow(moduleId: string, flow: DiagramFlow): RecordedFlow {
  const end = (endpoint: DiagramEndpoint, side: string): FlowEnd => {
    if (Construct.isConstruct(endpoint)) return { kind: "construct", ...constructRef(endpoint, moduleId, side) };
    if ("actor" in endpoint) return { kind: "actor", actor: endpoint.actor };
    const within = endpoint.within ?? "region";
    return { kind: "external", key: endpoint.external, within: typeof within === "string" ? within : constructRef(within, moduleId, side) };
  };
  return { from: end(flow.from, "from"), to: end(flow.to, "to"), label: flow.label, params: flow.params };
}

function constructRef(construct: IConstruct, moduleId: string, side: string): ConstructRef {
  const stack = construct.node.scopes.find((scope): scope is TerraformStack => TerraformStack.isStack(scope));
  if (!stack) throw new Error(`module "${moduleId}" declares a diagram flow whose "${side}" (${construct.node.path}) is in no stack`);
  return { stack: stack.node.id, path: construct.node.path };
}

/** An enabled module's "eks" target wins over a "kubeconfig" one; with neither, the kubeconfig's current context. */
function resolveKubernetesTarget(config: StudyConfig, environment: StudyEnvironment, modules: readonly AnyStudyModule[]): KubernetesTarget {
  const targets = modules.flatMap((m) => m.kubernetesTarget?.(config.settings[m.id], config.core, environment) ?? []);
  return targets.find((t) => t.kind === "eks") ?? targets[0] ?? { kind: "kubeconfig", configPath: "~/.kube/config" };
}
