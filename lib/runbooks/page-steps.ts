/**
 * The numbered steps of a week's page, in the order that works on a new account: synthesize, apply
 * the AWS stack, reach the cluster (open the tunnel, point kubectl at it), what must exist before the
 * Kubernetes stack, apply it, what comes after, then read the outputs and use what was built. Each
 * step says where its commands run. Wording comes from `strings.json`; this file decides the order.
 */
import type { KubernetesTarget, RunbookCommand, RunbookStep } from "../core/module";
import { shellWord } from "../core/shell";
import type { Command, OutputRef, PageNote, StackRef } from "./facts";
import type { Strings } from "./strings";

/**
 * A block the page shows before a step: a partial the week's template defines (`{{#*inline "name"}}`),
 * rendered with this object's values, so its wording lives in that template in each language.
 */
export type { PageNote } from "./facts";

export interface PageStep {
  /** Shown before the step (a warning about what the step is about to do). */
  readonly before: readonly PageNote[];
  /** One line (Markdown) saying what the step does. */
  readonly text: string;
  /** Where its commands run. */
  readonly where: string;
  /** Shell code blocks, in order; a block may span lines. */
  readonly blocks: readonly string[];
  /** The outputs table, on the step that reads them. */
  readonly outputs: readonly OutputRef[];
  /** Commands with a sentence each ("use what you built"). */
  readonly commands: readonly Command[];
}

export interface PageStepFacts {
  readonly strings: Strings;
  /** The weeks of this synth, as the learner writes them (`1-6`). */
  readonly weeks: string;
  /** Stacks this page applies, the AWS stack first, each with the weeks it holds. */
  readonly stacks: readonly (StackRef & { readonly weeks: string; readonly kubernetes: boolean })[];
  /** The AWS stack's directory: the outputs module commands read come from it. */
  readonly awsStackDir: string;
  /** Where the -k8s stack connects, when the page needs a cluster. */
  readonly cluster?: KubernetesTarget;
  readonly moduleSteps: readonly RunbookStep[];
  /** What the page shows before the AWS stack's apply step. @default - nothing */
  readonly beforeApply?: readonly PageNote[];
  readonly outputs: readonly OutputRef[];
  readonly commands: readonly Command[];
}

/** A module's command with each output it reads spelled out as `"$(terraform -chdir=<stack> output -raw <name>)"`. */
export function renderCommand(command: RunbookCommand, awsStackDir: string): string {
  return command.map((part) => (typeof part === "string" ? part : `"$(terraform -chdir=${shellWord(awsStackDir)} output -raw ${shellWord(part.output)})"`)).join("");
}

export function pageSteps(facts: PageStepFacts): PageStep[] {
  const s = facts.strings;
  const here = s.text("where.machine");
  const steps: PageStep[] = [];
  const add = (text: string, blocks: readonly string[], where = here, extra: Partial<Pick<PageStep, "outputs" | "commands" | "before">> = {}) =>
    steps.push({ before: extra.before ?? [], text, where, blocks, outputs: extra.outputs ?? [], commands: extra.commands ?? [] });
  const moduleSteps = (when: RunbookStep["when"]) => {
    for (const step of facts.moduleSteps.filter((m) => m.when === when)) add(s.text(step.text, step.params), [step.commands.map((c) => renderCommand(c, facts.awsStackDir)).join("\n")]);
  };

  add(s.text("steps.synth", { weeks: facts.weeks }), [`WEEKS=${shellWord(facts.weeks)} npx cdktf synth`]);
  const [aws, ...kubernetesStacks] = facts.stacks;
  if (aws) add(s.text("steps.apply", { stack: aws.name, weeks: aws.weeks }), [applyCommands(aws.dir)], here, { before: facts.beforeApply });
  if (facts.cluster) {
    for (const step of accessSteps(facts.cluster, s, facts.awsStackDir)) steps.push(step);
    moduleSteps("before-workloads");
  }
  for (const stack of kubernetesStacks) add(s.text("steps.applyKubernetes", { stack: stack.name, weeks: stack.weeks }), [applyCommands(stack.dir)]);
  moduleSteps("after-apply");
  if (facts.outputs.length > 0) add(s.text("steps.outputs"), [facts.stacks.map((stack) => `terraform -chdir=${shellWord(stack.dir)} output`).join("\n")], here, { outputs: facts.outputs });
  const seen = new Set(steps.flatMap((step) => step.blocks));
  const commands = facts.commands.filter((c) => !seen.has(c.command) && (seen.add(c.command), true));
  if (commands.length > 0) add(s.text("steps.use"), [], here, { commands });
  return steps;
}

function applyCommands(dir: string): string {
  const chdir = `-chdir=${shellWord(dir)}`;
  return [`terraform ${chdir} init`, `terraform ${chdir} plan -out=tfplan`, `terraform ${chdir} apply tfplan`].join("\n");
}

/** Reaching the cluster from the learner's machine, before anything talks to it. */
export function accessSteps(cluster: KubernetesTarget, s: Strings, awsStackDir: string): PageStep[] {
  const step = (text: string, blocks: string[], where = s.text("where.machine")): PageStep => ({ before: [], text, where, blocks, outputs: [], commands: [] });
  if (cluster.kind === "eks") {
    const access = cluster.access;
    const kubeconfig = access.kubeconfig.map((c) => renderCommand(c, awsStackDir)).join("\n");
    if (access.kind === "public") return [step(s.text("steps.kubeconfigPublic", { cluster: codeText(cluster.clusterName) }), [kubeconfig])];
    return [
      step(s.text("steps.tunnel", { port: access.localPort }), [renderCommand(access.open, awsStackDir)], s.text("where.secondTerminal")),
      step(s.text("steps.kubeconfigTunnel", { cluster: codeText(cluster.clusterName), port: access.localPort }), [kubeconfig]),
      step(s.text("steps.clusterReachable"), ["kubectl get nodes -o wide"]),
    ];
  }
  const context = cluster.context;
  const kind = context?.startsWith("kind-") ? context.slice("kind-".length) : undefined;
  const start = kind ? [`kind get clusters | grep -qx ${shellWord(kind)} || kind create cluster --name ${shellWord(kind)}`] : context === "minikube" ? ["minikube status >/dev/null 2>&1 || minikube start"] : [];
  const steps: PageStep[] = [];
  if (start.length > 0) steps.push(step(s.text(kind ? "steps.kindCluster" : "steps.minikubeCluster"), start));
  steps.push(step(s.text("steps.useContext", { context: codeText(context ?? "-") }), [context ? `kubectl config use-context ${shellWord(context)}` : "kubectl config current-context"]));
  return steps;
}

/**
 * A value for a phrase that shows it as code (between the phrase's backticks): a backtick inside would
 * end the code span early, so it is shown as a look-alike. Marked escapes the rest of a code span for HTML,
 * and the command beside it carries the exact value, shell-quoted.
 */
export function codeText(value: string): string {
  return value.replace(/`/g, "\u02cb");
}
