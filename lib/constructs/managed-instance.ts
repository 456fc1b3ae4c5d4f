/**
 * An EC2 instance the way every week runs one: Amazon Linux 2023, reached through SSM Session Manager
 * (no key pair, no open port needed), IMDSv2 required, encrypted gp3 root volume. Bastion, NAT
 * instance and Docker host all use it, so the secure defaults live in one place.
 */
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
import { type ITerraformDependable, Lazy } from "cdktf";
import { Construct } from "constructs";
import { amazonLinux2023Image } from "../aws/ec2";
import { fitName } from "../aws/names";
import { literalText } from "../core/terraform-text";

export const SSM_MANAGED_INSTANCE_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

export interface ManagedInstanceProps {
  /** Console name of the instance and prefix of its role, profile and template. */
  readonly name: string;
  readonly instanceType: string;
  readonly subnetId: string;
  readonly securityGroupIds: string[];
  /** @default 8 */
  readonly rootVolumeGiB?: number;
  /** Give the instance a public IPv4 address (it must sit in a public subnet). @default false */
  readonly publicIp?: boolean;
  /** NAT instances forward traffic that is not theirs. @default true */
  readonly sourceDestCheck?: boolean;
  /** Only for learners who asked for SSH in the config. @default - no key pair */
  readonly keyPairName?: string;
  /**
   * IMDS hop limit. 1 keeps containers on the host from reaching the instance's credentials;
   * raise it only for hosts whose containers must use the instance role.
   * @default 1
   */
  readonly metadataHopLimit?: number;
  /** Resources the instance needs before it boots (a NAT instance needs the internet gateway). */
  readonly dependsOn?: ITerraformDependable[];
}

export interface RunScriptProps {
  /** Suffix of the association's name: `<instance name>-<name>`, e.g. `devops-weeks-dev-docker-host-codedeploy-agent`. */
  readonly name: string;
  /** One line saying what the script does, written at its top. */
  readonly title: string;
  readonly script: string;
  /** @default 1800 */
  readonly timeoutSeconds?: number;
}

export class ManagedInstance extends Construct {
  /** Console name of the instance (its Name tag). */
  readonly name: string;
  readonly role: IamRole;
  readonly instance: Instance;
  readonly launchTemplate: LaunchTemplate;
  private readonly userDataSections: { title: string; script: string }[] = [];

  constructor(scope: Construct, id: string, props: ManagedInstanceProps) {
    super(scope, id);
    this.name = props.name;
    this.role = new IamRole(this, "role", {
      name: `${props.name}-role`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });
    new IamRolePolicyAttachment(this, "ssm", { role: this.role.name, policyArn: SSM_MANAGED_INSTANCE_POLICY });
    const profile = new IamInstanceProfile(this, "profile", { name: `${props.name}-profile`, role: this.role.name });

    const metadataOptions = {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: props.metadataHopLimit ?? 1,
    };
    const rootVolume = { volumeSize: props.rootVolumeGiB ?? 8, volumeType: "gp3", encrypted: true, deleteOnTermination: true };

    this.launchTemplate = new LaunchTemplate(this, "template", {
      name: `${props.name}-template`,
      imageId: amazonLinux2023Image(props.instanceType),
      instanceType: props.instanceType,
      metadataOptions,
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { ...rootVolume, encrypted: "true", deleteOnTermination: "true" } }],
      updateDefaultVersion: true,
    });

    this.instance = new Instance(this, "instance", {
      launchTemplate: { id: this.launchTemplate.id, version: "$Latest" },
      instanceType: props.instanceType,
      subnetId: props.subnetId,
      vpcSecurityGroupIds: props.securityGroupIds,
      iamInstanceProfile: profile.name,
      associatePublicIpAddress: props.publicIp ?? false,
      sourceDestCheck: props.sourceDestCheck ?? true,
      keyName: props.keyPairName === undefined ? undefined : literalText(props.keyPairName),
      metadataOptions,
      rootBlockDevice: rootVolume,
      tags: { Name: props.name },
      dependsOn: props.dependsOn,
      userDataBase64: Lazy.stringValue({ produce: () => Buffer.from(this.renderUserData()).toString("base64") }),
      // User data runs only at first boot: a changed script (another week's tools, a new container
      // image) must give a new instance, or the change would silently never happen.
      userDataReplaceOnChange: true,
    });
  }

  /**
   * Appends a titled shell section to the instance's first-boot script. Only for what the instance is
   * built for (the module that creates it): a changed script replaces the instance. Later weeks use
   * `runScript`.
   */
  addUserData(title: string, script: string): void {
    this.userDataSections.push({ title, script: script.trim() });
  }

  /**
   * Runs a shell script on the instance once it is up, through an SSM State Manager association
   * (AWS-RunShellScript) created in the caller's scope: how a later week adds its agent or tools.
   * Unlike user data it needs no new instance: turning a week on, or changing its script, runs it on
   * the instance that is already there; a replaced instance gets it again. The script waits for the
   * first-boot script to finish (both use dnf) and must be safe to run twice.
   */
  runScript(scope: Construct, id: string, props: RunScriptProps): SsmAssociation {
    const script = ["#!/bin/bash", `# ${props.title} (generated by devops-weeks)`, "set -euxo pipefail", "cloud-init status --wait >/dev/null || true", props.script.trim()].join("\n");
    return new SsmAssociation(scope, id, {
      // Association names: 3-128 letters, digits, _ - and . only.
      associationName: fitName(`${this.name}-${props.name}`, 128),
      name: "AWS-RunShellScript",
      targets: [{ key: "InstanceIds", values: [this.instance.id] }],
      parameters: { commands: literalText(script), executionTimeout: String(props.timeoutSeconds ?? 1800) },
      complianceSeverity: "MEDIUM",
    });
  }

  /** The whole first-boot script, as it will run on the instance. */
  renderUserData(): string {
    const header = "#!/bin/bash\n# Generated by devops-weeks: edit the module and re-run cdktf synth.\nset -euxo pipefail\n";
    return header + this.userDataSections.map((s) => `\n# --- ${s.title}\n${s.script}\n`).join("");
  }
}
