/**
 * Week 1's part of its page (StudyModule.runbook): what its NAT costs against a NAT instance, one shared
 * NAT, and Session Manager's endpoints, from the same price table as the cost box.
 */
import { priceRegion, usd } from "../../lib/runbooks/costs";
import type { WeekFacts, WeekRunbook } from "../../lib/runbooks/facts";
import prices from "../../lib/runbooks/prices.json";

export const networkRunbook: WeekRunbook = { cheaperOptions: natOptions };

function natOptions(facts: WeekFacts): string[] {
  const gateways = facts.resources.filter((r) => r.type === "aws_nat_gateway").length;
  if (gateways === 0 || !facts.network) return [];
  const s = facts.strings;
  const { prices: p } = priceRegion(facts.region);
  const month = (hourly: number) => usd(hourly * prices.hoursPerMonth, 2);
  const options: string[] = [];
  const instanceType = facts.network.nat.instanceType;
  const instanceHour = ((p.ec2Hour as Record<string, number>)[instanceType] ?? p.ec2Hour["t3.micro"]) + p.publicIpv4Hour + (8 * p.ebsGp3GBMonth) / prices.hoursPerMonth;
  const gatewayHour = p.natGatewayHour + p.publicIpv4Hour;
  options.push(s.text("cheaper.natInstance", { count: gateways, gateway: month(gatewayHour * gateways), instance: month(instanceHour * gateways), type: instanceType }));
  if (facts.network.nat.perAz && gateways > 1) options.push(s.text("cheaper.sharedNat", { saved: month(gatewayHour * (gateways - 1)) }));
  // The endpoints that let the bastion work without a NAT, priced the same way, for comparison.
  const azs = facts.availabilityZones.length;
  options.push(s.text("cheaper.ssmEndpoints", { endpoints: month(p.interfaceEndpointHourPerAz * 3 * azs), azs, gateway: month(gatewayHour * gateways) }));
  return options;
}
