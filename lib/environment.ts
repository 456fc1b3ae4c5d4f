/** Builds one environment: its AWS stack and, inside it, every enabled module in dependency order. */
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import type { StudyConfig } from "./config";
import type { AnyStudyModule, BuildContext, KubernetesTarget, RunbookStep, StudyEnvironment, StudyModule } from "./module";
import { AwsStudyStack, KubernetesStudyStack, kubernetesStackName } from "./stacks";

const OUTPUT_NAME = /^[a-z][a-z0-9_]*$/;

export interface BuiltEnvironment {
  readonly environment: StudyEnvironment;
  readonly awsStack: AwsStudyStack;
  /** The `<environment>-k8s` stack, when a module asked for it with `ctx.workloads()`. */
  readonly kubernetesStack?: KubernetesStudyStack;
  /** What each enabled module's build returned, by module id. */
  readonly exports: ReadonlyMap<string, unknown>;
  /** The Terraform outputs each module declared, by module id (runbooks list them per week). */
  readonly outputsByModule: ReadonlyMap<string, readonly ModuleOutput[]>;
  /** Extra generated files (ctx.writeFile), by path relative to out/; synth writes them beside the stacks. */
  readonly files: ReadonlyMap<string, GeneratedFile>;
  /** Runbook steps each module gave (ctx.step), by module id, in the order given. */
  readonly stepsByModule: ReadonlyMap<string, readonly RunbookStep[]>;
}

export interface GeneratedFile {
  readonly content: string;
  readonly executable: boolean;
}

export interface ModuleOutput {
  readonly stack: string;
  readonly name: string;
  readonly description: string;
}

export function buildEnvironment(app: Construct, config: StudyConfig, environment: StudyEnvironment, modules: readonly AnyStudyModule[]): BuiltEnvironment {
  const awsStack = new AwsStudyStack(app, environment.name, { region: config.core.region, environment });
  const exports = new Map<string, unknown>();
  const outputsByModule = new Map<string, ModuleOutput[]>();
  const enabled = new Set(modules.map((m) => m.id));
  const files = new Map<string, GeneratedFile>();
  const stepsByModule = new Map<string, RunbookStep[]>();
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
      use: <Exports>(id: string) => {
        if (!exports.has(id)) throw new Error(`module "${module.id}" uses "${id}", which is not enabled or not built yet: add it to "requires"`);
        return exports.get(id) as Exports;
      },
      output: (name, value, description, options) => {
        if (!OUTPUT_NAME.test(name)) throw new Error(`output "${name}" of module "${module.id}" is not snake_case`);
        const stack = options?.stack === "workloads" ? workloadsStack() : awsStack;
        new TerraformOutput(stack, name, { value, description });
        outputsByModule.set(module.id, [...(outputsByModule.get(module.id) ?? []), { stack: stack.node.id, name, description }]);
      },
      workloads: () => (workloads ??= new Construct(workloadsStack(), module.id)),
      kubernetesTarget,
      writeFile: (relativePath, content, options) => {
        const path = relativePath.split("/");
        if (!relativePath || relativePath.startsWith("/") || path.some((part) => part === "" || part === "." || part === "..") || path[0] === "stacks") {
          throw new Error(`module "${module.id}" writes "${relativePath}": expected a relative path inside out/, not under stacks/`);
        }
        if (files.has(relativePath)) throw new Error(`module "${module.id}" writes "${relativePath}", which another module already wrote`);
        files.set(relativePath, { content, executable: options?.executable ?? false });
      },
      step: (step) => stepsByModule.set(module.id, [...(stepsByModule.get(module.id) ?? []), step]),
    };
    exports.set(module.id, module.build(context));
  }
  return { environment, awsStack, kubernetesStack, exports, outputsByModule, files, stepsByModule };
}

/** An enabled module's "eks" target wins over a "kubeconfig" one; with neither, the kubeconfig's current context. */
function resolveKubernetesTarget(config: StudyConfig, environment: StudyEnvironment, modules: readonly AnyStudyModule[]): KubernetesTarget {
  const targets = modules.flatMap((m) => m.kubernetesTarget?.(config.settings[m.id], config.core, environment) ?? []);
  return targets.find((t) => t.kind === "eks") ?? targets[0] ?? { kind: "kubeconfig", configPath: "~/.kube/config" };
}
