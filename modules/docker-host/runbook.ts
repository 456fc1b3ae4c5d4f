/** Week 2's part of its page (StudyModule.runbook): the blue/green release, read from the stack. */
import type { BlueGreenRelease, WeekFacts, WeekRunbook } from "../../lib/runbooks/facts";
import { argument, literal } from "../../lib/runbooks/inventory";
import { outputCommand } from "../../lib/runbooks/steps";

export const dockerHostRunbook: WeekRunbook = { release: blueGreenFor };

/**
 * The release steps for a blue/green Docker host, read from the stack: the colors from its outputs, the
 * test port and weights from the load balancer's listeners, and where week 3's CodeDeploy deploys.
 */
function blueGreenFor(facts: WeekFacts): BlueGreenRelease | undefined {
  const ref = facts.outputs.find((o) => o.output === "blue_green_live_color");
  if (!ref) return undefined;
  const stack = facts.inventory.stacks.find((s) => s.stack === ref.name);
  const live = literal(stack?.outputs["blue_green_live_color"]?.value);
  const idle = literal(stack?.outputs["blue_green_idle_color"]?.value);
  const listeners = facts.inventory.resources.filter((r) => r.stack === ref.name && r.type === "aws_lb_listener");
  const liveListener = listeners.find((l) => l.config["port"] === 80);
  const testListener = listeners.find((l) => l.config["port"] !== 80);
  if (!live || !idle || !liveListener || !testListener) return undefined;
  const groups = argument(liveListener.config, "default_action", "forward", "target_group");
  const weights = Array.isArray(groups) ? groups.map((g) => Number((g as Record<string, unknown>)["weight"] ?? 0)) : [];
  const deployment = facts.inventory.resources.find((r) => r.stack === ref.name && r.type === "aws_codedeploy_deployment_group");
  const output = (name: string) => outputCommand({ ...ref, output: name });
  return {
    live,
    idle,
    idlePercent: weights[1] ?? 0,
    testPort: literal(testListener.config["port"]) ?? "?",
    testCommand: `curl -i "$(${output("app_test_url")})"`,
    weightsCommand: `eval "$(${output("blue_green_weights_command")})"`,
    deployTo: deployment ? literal(argument(deployment.config, "ec2_tag_set", "ec2_tag_filter", "value")) : undefined,
  };
}
