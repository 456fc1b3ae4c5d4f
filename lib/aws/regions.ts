/**
 * Availability zones per region, so the config can be checked without calling AWS.
 * Listed in the order we pick them by default: for Seoul, a and c first, the pair the study's
 * labs use (b and d joined later and some instance types arrived there last).
 * Source: how many zones each region has, from AWS's list of AZ IDs
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html, read
 * 2026-12-01); the letters are the codes `aws ec2 describe-availability-zones` gives. In the oldest
 * regions, accounts created before November 2025 map codes to zones per account (Tokyo's `b` is not
 * offered to newer ones), so an account there may see other letters: it names its AZs in
 * `availabilityZones` instead. A region not listed here also needs its AZs named.
 */
export const REGION_ZONES: Readonly<Record<string, readonly string[]>> = {
  "ap-northeast-2": ["a", "c", "b", "d"],
  "ap-northeast-1": ["a", "c", "d"],
  "ap-northeast-3": ["a", "b", "c"],
  "ap-southeast-1": ["a", "b", "c"],
  "ap-southeast-2": ["a", "b", "c"],
  "ap-south-1": ["a", "b", "c"],
  "us-east-1": ["a", "b", "c", "d", "e", "f"],
  "us-east-2": ["a", "b", "c"],
  "us-west-2": ["a", "b", "c", "d"],
  "eu-central-1": ["a", "b", "c"],
  "eu-west-1": ["a", "b", "c"],
  "eu-north-1": ["a", "b", "c"],
};

/**
 * The commercial AWS regions (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html,
 * checked 2026-12-01). A region code outside this list is refused at synth; one without an AZ table
 * above needs its AZs given by name.
 */
export const AWS_REGIONS: readonly string[] = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1", "mx-central-1", "sa-east-1",
  "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
  "il-central-1", "me-south-1", "me-central-1", "af-south-1",
  "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
  "ap-southeast-5", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
];

export const DEFAULT_REGION = "ap-northeast-2";

export function knownZones(region: string): string[] | undefined {
  return REGION_ZONES[region]?.map((letter) => `${region}${letter}`);
}
