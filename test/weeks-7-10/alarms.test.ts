/** Which week-7 alarms exist depends on what the other weeks built: synthesized, no plan needed. */
import { describe, expect, test } from "vitest";
import { synthConfig } from "../support/synth";

const STACK = "devops-weeks-dev";
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function alarms(config: Record<string, unknown>): Record<string, Json> {
  const synth = synthConfig(config);
  return Object.fromEntries(Object.values(synth.resources(STACK, "aws_cloudwatch_metric_alarm")).map((a) => [String(a.alarm_name).replace(`${STACK}-`, ""), a as Json]));
}

describe("week 7 alarms follow the resources of the other weeks", () => {
  test("week 7 alone (with 1 and 6): cluster alarms cluster-wide, no load balancer or pipeline alarm, nobody notified", () => {
    const found = alarms({ weeks: "7" });
    expect(Object.keys(found).sort()).toEqual([
      "nat-ap-northeast-2a-port-allocation",
      "network-bastion-instance-check",
      "network-bastion-system-check",
      "node-cpu-high",
      "node-memory-high",
      "pod-restarts",
    ]);
    expect(found["pod-restarts"].metric_query[0].expression).toBe(
      "SELECT SUM(pod_number_of_container_restarts) FROM SCHEMA(ContainerInsights, ClusterName, Namespace, PodName) WHERE ClusterName = 'devops-weeks-dev-eks'",
    );
    for (const alarm of Object.values(found)) expect(alarm.alarm_actions.filter((a: string) => a.includes("sns")), alarm.alarm_name).toEqual([]);
  }, 60_000);

  test("NAT instances get status check alarms (with recovery) instead of NAT gateway alarms", () => {
    const found = alarms({ weeks: "7", availabilityZones: 2, network: { nat: { mode: "instance", perAz: true } } });
    const natChecks = Object.keys(found).filter((name) => /^network-nat-instance-.*-system-check$/.test(name));
    expect(natChecks).toHaveLength(2);
    for (const name of natChecks) expect(found[name].alarm_actions).toEqual(["arn:aws:automate:ap-northeast-2:ec2:recover"]);
    expect(Object.keys(found).filter((name) => name.endsWith("port-allocation"))).toEqual([]);
  }, 60_000);

  test("alarms can be turned off as a whole", () => {
    expect(alarms({ weeks: "7", monitoring: { alarms: { enabled: false } } })).toEqual({});
  }, 60_000);
});
