/**
 * Availability zones per region, so the config can be checked without calling AWS.
 * Listed in the order we pick them by default: for Seoul, a and c first, the pair the study's
 * labs use (b and d joined later and some instance types arrived there last).
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
};

export const DEFAULT_REGION = "ap-northeast-2";

export function knownZones(region: string): string[] | undefined {
  return REGION_ZONES[region]?.map((letter) => `${region}${letter}`);
}
