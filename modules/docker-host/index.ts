/**
 * Week 2: a Docker host. An Amazon Linux 2023 instance in a private subnet, reached through SSM,
 * running one container image as a systemd service; an ECR repository for the images week 3 builds;
 * and, when the config asks, an Application Load Balancer in front of it.
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
import { architectureOf } from "../../lib/ec2";
import type { BuildContext } from "../../lib/module";
import type { NetworkExports } from "../network";
import type { DockerHostSettings } from "./settings";
import { APP_ENV_FILE, APP_SERVICE, dockerHostUserData } from "./user-data";

export { DOCKER_HOST_DEFAULTS, dockerHostSettings, type DockerHostSettings } from "./settings";
export { dockerHostUserData, renderDockerHostUserData, APP_ENV_FILE, APP_SERVICE } from "./user-data";
export { isImageReference, parseImageReference } from "./image-reference";

export interface DockerHostExports {
  /** The host. Week 3 appends the CodeDeploy agent to its user data and grants its role the artifact bucket. */
  readonly host: ManagedInstance;
  /** Value of the host's `Name` tag: CodeDeploy finds the host by it. */
  readonly hostName: string;
  /** CPU architecture of the host: images built for it must match (week 3 picks its build image by it). */
  readonly architecture: "x86_64" | "arm64";
  readonly hostSecurityGroup: SecurityGroup;
  readonly repository: EcrRepository;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly healthCheckPath: string;
  /** systemd unit running the app, and the environment file holding `APP_IMAGE`. */
  readonly appService: string;
  readonly appEnvFile: string;
  readonly loadBalancer?: Lb;
}

export { dockerHostModule } from "./module";

const POLICY_VERSION = "2012-10-17";

export function buildDockerHost(ctx: BuildContext<DockerHostSettings>): DockerHostExports {
  const { scope, settings } = ctx;
  const network = ctx.use<NetworkExports>("network");
  const { container } = settings;

  const repository = buildRepository(ctx);

  const hostName = ctx.name("docker-host");
  const hostSecurityGroup = new SecurityGroup(scope, "host-sg", {
    name: hostName,
    description: settings.loadBalancer.enabled ? "Docker host: app port from the load balancer only" : "Docker host: app port from inside the VPC only",
    vpcId: network.vpc.id,
    tags: { Name: hostName },
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

  const host = new ManagedInstance(scope, "docker-host", {
    name: hostName,
    instanceType: settings.instanceType,
    subnetId: network.privateSubnets[0].id,
    securityGroupIds: [hostSecurityGroup.id],
    rootVolumeGiB: settings.rootVolumeGiB,
  });
  for (const section of dockerHostUserData(settings)) host.addUserData(section.title, section.script);

  new IamRolePolicy(scope, "host-ecr-pull", {
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

  const loadBalancer = settings.loadBalancer.enabled ? buildLoadBalancer(ctx, network, host, hostSecurityGroup) : undefined;
  if (!loadBalancer) {
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
  ctx.output("docker_host_instance_id", host.instance.id, "Instance ID of the Docker host");
  ctx.output("docker_host_ssm_command", `aws ssm start-session --region ${region} --target ${host.instance.id}`, "Opens a shell on the Docker host through SSM Session Manager");
  ctx.output(
    "docker_host_port_forward_command",
    `aws ssm start-session --region ${region} --target ${host.instance.id} --document-name AWS-StartPortForwardingSession --parameters '{"portNumber":["${container.hostPort}"],"localPortNumber":["8080"]}'`,
    "Forwards http://localhost:8080 to the app on the Docker host through SSM (no load balancer needed)",
  );
  if (loadBalancer) {
    ctx.output("load_balancer_dns_name", loadBalancer.dnsName, "DNS name of the Application Load Balancer in front of the Docker host");
    ctx.output("app_url", `http://${loadBalancer.dnsName}/`, "The app through the load balancer");
  }

  return {
    host,
    hostName,
    architecture: architectureOf(settings.instanceType),
    hostSecurityGroup,
    repository,
    hostPort: container.hostPort,
    containerPort: container.containerPort,
    healthCheckPath: settings.loadBalancer.healthCheckPath,
    appService: APP_SERVICE,
    appEnvFile: APP_ENV_FILE,
    loadBalancer,
  };
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

function buildLoadBalancer(ctx: BuildContext<DockerHostSettings>, network: NetworkExports, host: ManagedInstance, hostSecurityGroup: SecurityGroup): Lb {
  const { scope, settings } = ctx;
  const { hostPort } = settings.container;
  const albName = ctx.name("alb");
  const albSecurityGroup = new SecurityGroup(scope, "alb-sg", {
    name: albName,
    description: "Load balancer: HTTP from the sources the config names, to the Docker host only",
    vpcId: network.vpc.id,
    tags: { Name: albName },
  });
  settings.loadBalancer.ingressCidrs.forEach((cidr, i) => {
    new VpcSecurityGroupIngressRule(scope, `alb-http-in-${i}`, {
      securityGroupId: albSecurityGroup.id,
      description: `HTTP from ${cidr}`,
      ipProtocol: "tcp",
      fromPort: 80,
      toPort: 80,
      cidrIpv4: cidr,
    });
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
  const targetGroup = new LbTargetGroup(scope, "alb-targets", {
    name: truncateName(ctx.name("docker-host"), 32),
    port: hostPort,
    protocol: "HTTP",
    targetType: "instance",
    vpcId: network.vpc.id,
    deregistrationDelay: "30",
    healthCheck: { enabled: true, path: settings.loadBalancer.healthCheckPath, matcher: "200-399", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
    tags: { Name: ctx.name("docker-host") },
  });
  new LbTargetGroupAttachment(scope, "alb-target-host", { targetGroupArn: targetGroup.arn, targetId: host.instance.id, port: hostPort });
  // Plain HTTP is enough for a study: HTTPS needs a domain and an ACM certificate.
  new LbListener(scope, "alb-http", {
    loadBalancerArn: loadBalancer.arn,
    port: 80,
    protocol: "HTTP",
    defaultAction: [{ type: "forward", targetGroupArn: targetGroup.arn }],
  });
  return loadBalancer;
}

/** Load balancer and target group names are capped at 32 characters and may not end in a hyphen. */
function truncateName(name: string, max: number): string {
  return name.slice(0, max).replace(/-+$/, "");
}
