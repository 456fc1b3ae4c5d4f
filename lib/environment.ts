/** Builds one environment: its AWS stack and, inside it, every enabled module in dependency order. */
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import type { StudyConfig } from "./config";
import type { AnyStudyModule, BuildContext, StudyEnvironment } from "./module";
import { AwsStudyStack } from "./stacks";

const OUTPUT_NAME = /^[a-z][a-z0-9_]*$/;

export interface BuiltEnvironment {
  readonly environment: StudyEnvironment;
  readonly awsStack: AwsStudyStack;
  /** What each enabled module's build returned, by module id. */
  readonly exports: ReadonlyMap<string, unknown>;
  /** The Terraform outputs each module declared, by module id (runbooks list them per week). */
  readonly outputsByModule: ReadonlyMap<string, readonly ModuleOutput[]>;
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

  for (const module of modules) {
    const scope = new Construct(awsStack, module.id);
    const context: BuildContext<unknown> = {
      scope,
      settings: config.settings[module.id],
      study: config.core,
      environment,
      availabilityZones: config.availabilityZones,
      name: (suffix) => `${environment.name}-${suffix}`,
      has: (id) => enabled.has(id),
      use: <Exports>(id: string) => {
        if (!exports.has(id)) throw new Error(`module "${module.id}" uses "${id}", which is not enabled or not built yet: add it to "requires"`);
        return exports.get(id) as Exports;
      },
      output: (name, value, description) => {
        if (!OUTPUT_NAME.test(name)) throw new Error(`output "${name}" of module "${module.id}" is not snake_case`);
        new TerraformOutput(awsStack, name, { value, description });
        outputsByModule.set(module.id, [...(outputsByModule.get(module.id) ?? []), { stack: environment.name, name, description }]);
      },
    };
    exports.set(module.id, module.build(context));
  }
  return { environment, awsStack, exports, outputsByModule };
}
