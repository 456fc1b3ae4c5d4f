/**
 * What week 2's Docker host offers the other weeks (`ctx.use(dockerHostModule)`): types only, so that
 * the registry entry (./module.ts) and other weeks name them without loading the build code
 * (./build.ts).
 */
import type { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { ManagedInstance } from "../../lib/constructs/managed-instance";
import type { BlueGreenColor } from "./settings";

export interface DockerHostInstance {
  readonly host: ManagedInstance;
  /** Value of the host's `Name` tag: CodeDeploy finds the host by it. */
  readonly name: string;
  /** Its color, when the config runs blue/green. */
  readonly color?: BlueGreenColor;
}

export interface DockerHostExports {
  /**
   * Every host: one, or blue and green. Week 3 appends the CodeDeploy agent to each one's user data and
   * grants its role the artifact bucket; week 8 adds the CloudWatch agent.
   */
  readonly hosts: readonly DockerHostInstance[];
  /**
   * Where week 3's CodeDeploy deploys: the single host, or with blue/green the idle color and its target
   * group (CodeDeploy takes it out of the group while it installs, and waits for it to be healthy again).
   */
  readonly deployTarget: { readonly hostName: string; readonly targetGroupName?: string };
  /** The deployment group's name: the same whichever color is live, so the pipeline never changes. */
  readonly deploymentGroupName: string;
  /** CPU architecture of the hosts: images built for them must match (week 3 picks its build image by it). */
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
  /** The colors, when the config runs blue/green. */
  readonly blueGreen?: { readonly live: BlueGreenColor; readonly idle: BlueGreenColor };
}
