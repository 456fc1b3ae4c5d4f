/**
 * Week 2: a Docker host. An Amazon Linux 2023 instance in a private subnet, reached through SSM,
 * running one container image as a systemd service; an ECR repository for the images week 3 builds;
 * and, when the config asks, an Application Load Balancer in front of it. With `blueGreen`, two hosts
 * (blue and green) sit behind that load balancer and a weighted listener decides which one is live.
 *
 * Why not CodeDeploy's own EC2 blue/green: it copies an Auto Scaling group into a new one it names
 * itself and deletes the original, so Terraform's state loses the group and `terraform destroy` leaves
 * CodeDeploy's copy running (hashicorp/terraform-provider-aws#4678). Two Terraform-owned hosts and a
 * listener switch give the same release and rollback, and nothing outlives `terraform destroy`.
 */
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { ManagedInstance } from "../../lib/constructs/managed-instance";
import { architectureOf } from "../../lib/aws/ec2";
import { fitName } from "../../lib/aws/names";
import type { BuildContext } from "../../lib/core/module";
import type { NetworkExports } from "../network/exports";
import { networkModule } from "../network/module";
import type { DockerHostExports, DockerHostInstance } from "./exports";
import { BLUE_GREEN_COLORS, type BlueGreenColor, type DockerHostSettings } from "./settings";
import { APP_ENV_FILE, APP_SERVICE, dockerHostUserData } from "./user-data";

export { dockerHostUserData, renderDockerHostUserData, APP_ENV_FILE, APP_SERVICE } from "./user-data";
export { isImageReference, parseImageReference } from "../../lib/containers/image-reference";

const POLICY_VERSION = "2012-10-17";

export function buildDockerHost(ctx: BuildContext<DockerHostSettings>): DockerHostExports {
  const { scope, settings } = ctx;
  const network = ctx.use(networkModule);
  const { container } = settings;
  const blueGreen = settings.blueGreen.enabled ? { live: settings.blueGreen.live, idle: otherColor(settings.blueGreen.live) } : undefined;

  const repository = buildRepository(ctx);

  const baseName = ctx.name("docker-host");
  const hostSecurityGroup = new SecurityGroup(scope, "host-sg", {
    name: baseName,
    description: settings.loadBalancer.enabled ? "Docker host: app port from the load balancer only" : "Docker host: app port from inside the VPC only",
    vpcId: network.vpc.id,
    tags: { Name: baseName },
  });
  // HTTPS out is all the host needs: SSM, ECR, Docker registries, dnf repositories, CodeDeploy.
  new VpcSecurityGroupEgressRule(scope, "host-https-out", {
    securityGroupId: hostSecurityGroup.id,
    description: "HTTPS to SSM, ECR, image registries and package repositories",
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrIpv4: "0.0.0.0/0",
  });

  // One host keeps the construct ids and names it always had; blue/green gets one host per color, each in
  // its own AZ, so that switching colors also survives the loss of an AZ.
  const hosts: DockerHostInstance[] = (blueGreen ? BLUE_GREEN_COLORS : [undefined]).map((color, i) => {
    const name = color ? `${baseName}-${color}` : baseName;
    const suffix = color ? `-${color}` : "";
    const host = new ManagedInstance(scope, `docker-host${suffix}`, {
      name,
      instanceType: settings.instanceType,
      subnetId: network.privateSubnets[i % network.privateSubnets.length].id,
      securityGroupIds: [hostSecurityGroup.id],
      rootVolumeGiB: settings.rootVolumeGiB,
    });
    const image = color ? (settings.blueGreen[`${color}Image`] ?? container.image) : container.image;
    for (const section of dockerHostUserData(settings, image)) host.addUserData(section.title, section.script);
    new IamRolePolicy(scope, `host-ecr-pull${suffix}`, {
      name: "pull-from-the-study-repository",
      role: host.role.id,
      policy: JSON.stringify({
        Version: POLICY_VERSION,
        Statement: [
          {
            Sid: "PullStudyImages",
            Effect: "Allow",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            Resource: repository.arn,
          },
          // GetAuthorizationToken has no resource-level permissions: AWS accepts only "*" for it.
          { Sid: "LogInToEcr", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        ],
      }),
    });
    return { host, name, color };
  });

  const balancer = settings.loadBalancer.enabled ? buildLoadBalancer(ctx, network, hosts, hostSecurityGroup) : undefined;
  if (!balancer) {
    new VpcSecurityGroupIngressRule(scope, "host-app-from-vpc", {
      securityGroupId: hostSecurityGroup.id,
      description: `App port ${container.hostPort} from inside the VPC`,
      ipProtocol: "tcp",
      fromPort: container.hostPort,
      toPort: container.hostPort,
      cidrIpv4: network.vpcCidr,
    });
  }

  const region = ctx.study.region;
  ctx.output("ecr_repository_url", repository.repositoryUrl, "URL of the ECR repository for the app image (docker push <url>:<tag>)");
  for (const { host, color } of hosts) {
    const output = color ? `docker_host_${color}` : "docker_host";
    const which = color ? `the ${color} Docker host` : "the Docker host";
    ctx.output(`${output}_instance_id`, host.instance.id, `Instance ID of ${which}`);
    ctx.output(`${output}_ssm_command`, `aws ssm start-session --region ${region} --target ${host.instance.id}`, `Opens a shell on ${which} through SSM Session Manager`);
    ctx.output(
      `${output}_port_forward_command`,
      `aws ssm start-session --region ${region} --target ${host.instance.id} --document-name AWS-StartPortForwardingSession --parameters '{"portNumber":["${container.hostPort}"],"localPortNumber":["8080"]}'`,
      `Forwards http://localhost:8080 to the app on ${which} through SSM (no load balancer needed)`,
    );
  }
  if (balancer) {
    ctx.output("load_balancer_dns_name", balancer.loadBalancer.dnsName, "DNS name of the Application Load Balancer in front of the Docker host");
    ctx.output("app_url", `http://${balancer.loadBalancer.dnsName}/`, "The app through the load balancer");
  }
  if (blueGreen && balancer) {
    const { testPort } = settings.blueGreen;
    ctx.output("blue_green_live_color", blueGreen.live, "The color the load balancer's port 80 sends traffic to (dockerHost.blueGreen.live)");
    ctx.output("blue_green_idle_color", blueGreen.idle, "The color week 3's pipeline deploys to, reachable on the test port until you switch");
    ctx.output("app_test_url", `http://${balancer.loadBalancer.dnsName}:${testPort}/`, `The idle (${blueGreen.idle}) host through the load balancer's test listener`);
    ctx.output(
      "blue_green_weights_command",
      `aws elbv2 describe-listeners --region ${region} --listener-arns ${balancer.liveListener.arn} --query 'Listeners[].DefaultActions[].ForwardConfig.TargetGroups[].[TargetGroupArn,Weight]' --output text`,
      "Shows how the live listener splits traffic between the blue and green target groups",
    );
  }

  return {
    hosts,
    deployTarget: blueGreen
      ? { hostName: hosts.find((h) => h.color === blueGreen.idle)!.name, targetGroupName: balancer?.targetGroups.get(blueGreen.idle)?.name }
      : { hostName: baseName },
    deploymentGroupName: baseName,
    architecture: architectureOf(settings.instanceType),
    hostSecurityGroup,
    repository,
    hostPort: container.hostPort,
    containerPort: container.containerPort,
    healthCheckPath: settings.loadBalancer.healthCheckPath,
    appService: APP_SERVICE,
    appEnvFile: APP_ENV_FILE,
    loadBalancer: balancer?.loadBalancer,
    blueGreen,
  };
}

function otherColor(color: BlueGreenColor): BlueGreenColor {
  return color === "blue" ? "green" : "blue";
}

function buildRepository(ctx: BuildContext<DockerHostSettings>): EcrRepository {
  const { scope, settings } = ctx;
  let kmsKeyArn: string | undefined;
  if (settings.ecr.encryption === "KMS") {
    const key = new KmsKey(scope, "ecr-key", {
      description: `${ctx.name("app")} ECR repository images`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      tags: { Name: ctx.name("ecr") },
    });
    new KmsAlias(scope, "ecr-key-alias", { name: `alias/${ctx.name("ecr")}`, targetKeyId: key.keyId });
    kmsKeyArn = key.arn;
  }
  const repository = new EcrRepository(scope, "repository", {
    name: ctx.name("app"),
    imageTagMutability: settings.ecr.immutableTags ? "IMMUTABLE" : "MUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: [kmsKeyArn ? { encryptionType: "KMS", kmsKey: kmsKeyArn } : { encryptionType: "AES256" }],
    forceDelete: settings.ecr.forceDelete,
    tags: { Name: ctx.name("app") },
  });
  new EcrLifecyclePolicy(scope, "repository-lifecycle", {
    repository: repository.name,
    policy: JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: `Keep the last ${settings.ecr.keepLastImages} images`,
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: settings.ecr.keepLastImages },
          action: { type: "expire" },
        },
      ],
    }),
  });
  return repository;
}

interface LoadBalancerParts {
  readonly loadBalancer: Lb;
  /** The port-80 listener. */
  readonly liveListener: LbListener;
  /** The target group of each color, with blue/green (empty for a single host). */
  readonly targetGroups: Map<BlueGreenColor, LbTargetGroup>;
}

function buildLoadBalancer(ctx: BuildContext<DockerHostSettings>, network: NetworkExports, hosts: readonly DockerHostInstance[], hostSecurityGroup: SecurityGroup): LoadBalancerParts {
  const { scope, settings } = ctx;
  const { hostPort } = settings.container;
  const blueGreen = settings.blueGreen.enabled ? settings.blueGreen : undefined;
  const albName = ctx.name("alb");
  const albSecurityGroup = new SecurityGroup(scope, "alb-sg", {
    name: albName,
    description: "Load balancer: HTTP from the sources the config names, to the Docker host only",
    vpcId: network.vpc.id,
    tags: { Name: albName },
  });
  const listenerPorts = blueGreen ? [80, blueGreen.testPort] : [80];
  settings.loadBalancer.ingressCidrs.forEach((cidr, i) => {
    for (const port of listenerPorts) {
      new VpcSecurityGroupIngressRule(scope, port === 80 ? `alb-http-in-${i}` : `alb-test-in-${i}`, {
        securityGroupId: albSecurityGroup.id,
        description: port === 80 ? `HTTP from ${cidr}` : `Test listener (idle color) from ${cidr}`,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: cidr,
      });
    }
  });
  new VpcSecurityGroupEgressRule(scope, "alb-to-host", {
    securityGroupId: albSecurityGroup.id,
    description: `To the Docker host's port ${hostPort}`,
    ipProtocol: "tcp",
    fromPort: hostPort,
    toPort: hostPort,
    referencedSecurityGroupId: hostSecurityGroup.id,
  });
  new VpcSecurityGroupIngressRule(scope, "host-app-from-alb", {
    securityGroupId: hostSecurityGroup.id,
    description: `App port ${hostPort} from the load balancer only`,
    ipProtocol: "tcp",
    fromPort: hostPort,
    toPort: hostPort,
    referencedSecurityGroupId: albSecurityGroup.id,
  });

  const loadBalancer = new Lb(scope, "alb", {
    name: truncateName(albName, 32),
    loadBalancerType: "application",
    internal: false,
    subnets: network.publicSubnets.map((s) => s.id),
    securityGroups: [albSecurityGroup.id],
    dropInvalidHeaderFields: true,
    tags: { Name: albName },
  });
  const targetGroups = new Map<BlueGreenColor, LbTargetGroup>();
  const groups = hosts.map(({ host, name, color }) => {
    const suffix = color ? `-${color}` : "";
    const group = new LbTargetGroup(scope, `alb-targets${suffix}`, {
      name: color ? fitName(name, 32) : truncateName(name, 32),
      port: hostPort,
      protocol: "HTTP",
      targetType: "instance",
      vpcId: network.vpc.id,
      deregistrationDelay: "30",
      healthCheck: { enabled: true, path: settings.loadBalancer.healthCheckPath, matcher: "200-399", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
      tags: { Name: name, ...(color ? { Color: color } : {}) },
    });
    new LbTargetGroupAttachment(scope, `alb-target-host${suffix}`, { targetGroupArn: group.arn, targetId: host.instance.id, port: hostPort });
    if (color) targetGroups.set(color, group);
    return group;
  });
  // Plain HTTP is enough for a study: HTTPS needs a domain and an ACM certificate.
  if (!blueGreen) {
    const liveListener = new LbListener(scope, "alb-http", {
      loadBalancerArn: loadBalancer.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "forward", targetGroupArn: groups[0].arn }],
    });
    return { loadBalancer, liveListener, targetGroups };
  }
  // Blue/green: port 80 splits by weight (all to the live color unless a canary share is set), and the
  // test port reaches the idle color only. Switching is an in-place listener update: no host is touched.
  const live = targetGroups.get(blueGreen.live)!;
  const idle = targetGroups.get(otherColor(blueGreen.live))!;
  const liveListener = new LbListener(scope, "alb-http", {
    loadBalancerArn: loadBalancer.arn,
    port: 80,
    protocol: "HTTP",
    defaultAction: [
      {
        type: "forward",
        forward: {
          targetGroup: [
            { arn: live.arn, weight: 100 - blueGreen.idleTrafficPercent },
            { arn: idle.arn, weight: blueGreen.idleTrafficPercent },
          ],
        },
      },
    ],
  });
  new LbListener(scope, "alb-test", {
    loadBalancerArn: loadBalancer.arn,
    port: blueGreen.testPort,
    protocol: "HTTP",
    defaultAction: [{ type: "forward", targetGroupArn: idle.arn }],
  });
  return { loadBalancer, liveListener, targetGroups };
}

/** Load balancer and target group names are capped at 32 characters and may not end in a hyphen. */
function truncateName(name: string, max: number): string {
  return name.slice(0, max).replace(/-+$/, "");
}
