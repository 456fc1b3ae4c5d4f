/**
 * Blue/green on the Docker-host path, planned offline by real Terraform: two hosts behind the load
 * balancer, a weighted live listener, a test listener on the idle color, and week 3's CodeDeploy
 * deploying to the idle color only. Synth-only checks cover what switching `live` changes and does not.
 */
import { describe, expect, test } from "vitest";
import { planStackOffline, type PlannedResource } from "../support/terraform";
import { synthConfig } from "../support/synth";
import { byName, countsByType, expectSecureDefaults, referencesOf, STACK } from "./plan-helpers";

const GREEN_IMAGE = "public.ecr.aws/docker/library/nginx:mainline";

function blueGreenConfig(blueGreen: Record<string, unknown>): Record<string, unknown> {
  return { dockerHost: { loadBalancer: { enabled: true, healthCheckPath: "/healthz" }, blueGreen: { enabled: true, ...blueGreen } } };
}

describe("weeks 1-4 with a blue/green Docker host, planned offline", () => {
  const synthesized = synthConfig(blueGreenConfig({ live: "green", idleTrafficPercent: 10, greenImage: GREEN_IMAGE }), { weeks: "1-4" });
  const plan = planStackOffline(synthesized.stackDir(STACK));
  const targetGroup = (color: string) => byName(plan, "aws_lb_target_group", `devops-weeks-dev-docker-host-${color}`);
  const host = (color: string) => byName(plan, "aws_instance", `devops-weeks-dev-docker-host-${color}`);

  test("plans two hosts, one target group each, and two listeners", () => {
    expect(countsByType(plan, ["aws_instance", "aws_lb", "aws_lb_target_group", "aws_lb_target_group_attachment", "aws_lb_listener", "aws_codedeploy_deployment_group"])).toEqual({
      aws_instance: 3, // bastion, blue, green
      aws_lb: 1,
      aws_lb_target_group: 2,
      aws_lb_target_group_attachment: 2,
      aws_lb_listener: 2,
      aws_codedeploy_deployment_group: 1,
    });
    expectSecureDefaults(plan);
  });

  test("each color's host is in its own AZ, registered in its own target group", () => {
    for (const color of ["blue", "green"]) {
      const attachment = plan.byType("aws_lb_target_group_attachment").find((a) => referencesOf(plan, a, "target_group_arn").includes(targetGroup(color).address));
      expect(attachment, color).toBeDefined();
      expect(referencesOf(plan, attachment as PlannedResource, "target_id")).toContain(host(color).address);
      expect(targetGroup(color).values.tags).toMatchObject({ Color: color });
    }
    const subnets = ["blue", "green"].map((color) => referencesOf(plan, host(color), "subnet_id").find((r) => !r.endsWith(".id")));
    expect(new Set(subnets).size).toBe(2);
  });

  test("port 80 sends 90 % to the live color (green) and 10 % to the idle one; the test port reaches blue only", () => {
    type Reference = { references: string[] };
    type ListenerAction = { target_group_arn?: Reference; forward?: { target_group: { arn: Reference; weight: { constant_value: number } }[] }[] };
    const actionOf = (listener: PlannedResource) => {
      const config = (plan.raw.configuration as { root_module: { resources: { address: string; expressions: Record<string, unknown> }[] } }).root_module.resources.find((r) => r.address === listener.address);
      return (config?.expressions.default_action as ListenerAction[])[0];
    };
    const resourceOf = (ref: Reference) => ref.references.find((r) => !r.endsWith(".arn"));
    const listeners = plan.byType("aws_lb_listener");
    const live = listeners.find((l) => l.values.port === 80) as PlannedResource;
    const groups = actionOf(live).forward?.[0].target_group ?? [];
    expect(groups.map((g) => [resourceOf(g.arn), g.weight.constant_value])).toEqual([
      [targetGroup("green").address, 90],
      [targetGroup("blue").address, 10],
    ]);
    expect((live.values.default_action as { forward: { target_group: unknown[] }[] }[])[0].forward[0].target_group).toHaveLength(2);

    const test8080 = listeners.find((l) => l.values.port === 8080) as PlannedResource;
    expect(test8080.values).toMatchObject({ protocol: "HTTP" });
    const testTarget = actionOf(test8080).target_group_arn;
    expect(testTarget && resourceOf(testTarget)).toBe(targetGroup("blue").address);
  });

  test("the load balancer admits the test port from the same sources as port 80, and nothing else", () => {
    const albGroup = byName(plan, "aws_security_group", "devops-weeks-dev-alb");
    const rules = plan.byType("aws_vpc_security_group_ingress_rule").filter((r) => referencesOf(plan, r, "security_group_id").includes(albGroup.address));
    expect(rules.map((r) => [r.values.from_port, r.values.cidr_ipv4]).sort()).toEqual([
      [80, "0.0.0.0/0"],
      [8080, "0.0.0.0/0"],
    ]);
  });

  test("CodeDeploy deploys to the idle color (blue) through its target group, never to the live one", () => {
    const [group] = plan.byType("aws_codedeploy_deployment_group");
    expect(group.values).toMatchObject({ deployment_group_name: "devops-weeks-dev-docker-host" });
    expect(group.values.deployment_style).toEqual([{ deployment_type: "IN_PLACE", deployment_option: "WITH_TRAFFIC_CONTROL" }]);
    expect(group.values.ec2_tag_set).toEqual([{ ec2_tag_filter: [{ key: "Name", type: "KEY_AND_VALUE", value: "devops-weeks-dev-docker-host-blue" }] }]);
    expect(group.values.load_balancer_info).toEqual([expect.objectContaining({ target_group_info: [{ name: targetGroup("blue").values.name }] })]);
  });

  test("both hosts get the CodeDeploy agent and read access to the revisions; each boots its own image", () => {
    const stack = synthesized.stack(STACK);
    const instances = stack.resource?.aws_instance as Record<string, { tags: { Name: string }; user_data_base64: string }>;
    const userData = (color: string) => {
      const found = Object.values(instances).find((i) => i.tags.Name === `devops-weeks-dev-docker-host-${color}`);
      return Buffer.from(found?.user_data_base64 ?? "", "base64").toString("utf8");
    };
    expect(userData("green")).toContain(`APP_IMAGE=${GREEN_IMAGE}`);
    expect(userData("blue")).toContain("APP_IMAGE=public.ecr.aws/docker/library/nginx:stable");
    const agents = plan.byType("aws_ssm_association").map((a) => a.values.association_name);
    for (const color of ["blue", "green"]) {
      expect(userData(color)).not.toContain("codedeploy-agent");
      expect(agents).toContain(`devops-weeks-dev-docker-host-${color}-codedeploy-agent`);
    }
    const revisionPolicies = plan.byType("aws_iam_role_policy").filter((p) => p.values.name === "read-deployment-revisions");
    expect(revisionPolicies).toHaveLength(2);
  });

  test("outputs name the colors, the test URL and the weights command", () => {
    const outputs = (plan.raw.planned_values as { outputs: Record<string, { value?: unknown }> }).outputs;
    expect(outputs.blue_green_live_color.value).toBe("green");
    expect(outputs.blue_green_idle_color.value).toBe("blue");
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(["app_url", "app_test_url", "blue_green_weights_command", "docker_host_blue_instance_id", "docker_host_green_ssm_command", "docker_host_green_port_forward_command"]),
    );
    expect(Object.keys(outputs)).not.toContain("docker_host_instance_id");
  });
});

describe("switching the live color", () => {
  const instanceUserData = (live: string) => {
    const stack = synthConfig(blueGreenConfig({ live }), { weeks: "1-3" }).stack(STACK);
    const instances = stack.resource?.aws_instance as Record<string, { user_data_base64: string }>;
    const groups = stack.resource?.aws_codedeploy_deployment_group as Record<string, { ec2_tag_set: { ec2_tag_filter: { value: string }[] }[] }>;
    return {
      userData: Object.fromEntries(Object.entries(instances).map(([id, i]) => [id, i.user_data_base64])),
      deployTo: Object.values(groups)[0].ec2_tag_set[0].ec2_tag_filter[0].value,
    };
  };

  test("changes where CodeDeploy deploys and nothing about the hosts (no instance is replaced)", () => {
    const blue = instanceUserData("blue");
    const green = instanceUserData("green");
    expect(blue.userData).toEqual(green.userData);
    expect(blue.deployTo).toBe("devops-weeks-dev-docker-host-green");
    expect(green.deployTo).toBe("devops-weeks-dev-docker-host-blue");
  });
});

describe("blue/green config errors", () => {
  const failure = (config: Record<string, unknown>) => {
    try {
      synthConfig(config, { weeks: "1-2" });
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("synth accepted the config");
  };

  test("blue/green without the load balancer names both fields", () => {
    expect(failure({ dockerHost: { blueGreen: { enabled: true } } })).toMatch(/dockerHost\.blueGreen\.enabled = true is not valid; expected .*dockerHost\.loadBalancer\.enabled: true/);
  });

  test("a color image while blue/green is off is refused, not ignored", () => {
    expect(failure({ dockerHost: { blueGreen: { greenImage: GREEN_IMAGE } } })).toMatch(/dockerHost\.blueGreen\.greenImage = "public\.ecr\.aws[^"]*" is not valid; expected no value while blueGreen\.enabled is false/);
  });

  test("the test port cannot be the live port, and a canary share stops at 50 %", () => {
    expect(failure(blueGreenConfig({ testPort: 80 }))).toMatch(/dockerHost\.blueGreen\.testPort = 80 .*a port other than 80/);
    expect(failure(blueGreenConfig({ idleTrafficPercent: 60 }))).toMatch(/dockerHost\.blueGreen\.idleTrafficPercent = 60/);
    expect(failure(blueGreenConfig({ live: "red" }))).toMatch(/dockerHost\.blueGreen\.live = "red".*blue.*green/);
  });
});
