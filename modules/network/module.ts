/**
 * The network module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import type { ConfigProblem } from "../../lib/core/errors";
import { azCountOf } from "../../lib/core/config";
import { defineModule, type DiagramExternal } from "../../lib/core/module";
import { planSubnets } from "../../lib/aws/cidr";
import { networkSettings, type NetworkSettings } from "./settings";
import type { NetworkExports } from "./exports";

export const networkModule = defineModule<NetworkSettings, NetworkExports>({
  id: "network",
  week: 1,
  title: { ko: "Terraform으로 AWS VPC 구성", en: "An AWS VPC with Terraform" },
  settings: networkSettings,
  validate(settings, study, environment) {
    const problems: ConfigProblem[] = [];
    const azCount = azCountOf(study);
    const plan = planSubnets(environment.vpcCidr, settings.subnetPrefixLength, azCount);
    if (typeof plan === "string") {
      problems.push({ field: "network.subnetPrefixLength", value: settings.subnetPrefixLength, expected: `subnets that fit the VPC: ${plan}` });
    }
    const open = settings.bastion.sshIngressCidrs.filter((cidr) => cidr.endsWith("/0"));
    if (open.length > 0 && !settings.bastion.allowSshFromInternet) {
      problems.push({
        field: "network.bastion.sshIngressCidrs",
        value: settings.bastion.sshIngressCidrs,
        expected: "your own address as a /32 (SSH from the whole internet also needs network.bastion.allowSshFromInternet: true; SSM Session Manager needs no open port at all)",
      });
    }
    if (settings.bastion.enabled && settings.nat.mode === "none" && !settings.endpoints.ssm && settings.bastion.sshIngressCidrs.length === 0) {
      problems.push({
        field: "network.endpoints.ssm",
        value: false,
        expected: "true while the bastion is on and nat.mode is none: the bastion has no public address, and Session Manager reaches it through a NAT or these endpoints",
      });
    }
    if (settings.bastion.sshIngressCidrs.length > 0 && !settings.bastion.keyPairName) {
      problems.push({ field: "network.bastion.keyPairName", value: undefined, expected: "the name of an existing EC2 key pair when sshIngressCidrs allows SSH" });
    }
    return problems;
  },
  runbook: () => (require("./runbook") as typeof import("./runbook")).networkRunbook,
  build: (ctx) => (require("./build") as typeof import("./build")).buildNetwork(ctx),
});

/** Session Manager as the diagrams draw it: the learner's only way to the bastion, with no open port. */
export const SESSION_MANAGER: DiagramExternal = { external: "diagram.ssmSessionManager" };
