/**
 * Container image references, checked the way Docker and containerd parse them (the OCI
 * distribution grammar): `[registry[:port]/]path[:tag][@digest]`, with a lowercase path.
 * A reference Docker would refuse must fail at synth, not at 3 a.m. on the host.
 */

const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const PATH = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

/** Captures: 1 registry (optional), 2 path, 3 tag (optional), 4 digest (optional). */
export const IMAGE_REFERENCE_PATTERN = new RegExp(`^(?:(${DOMAIN})/)?(${PATH})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

export const IMAGE_REFERENCE_EXPECTED =
  "a container image reference such as nginx:1.27, public.ecr.aws/docker/library/nginx:stable or 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/app:v1 " +
  "(lowercase repository path, at most one :tag, optional @sha256:digest, no spaces)";

/** Docker caps a full reference at 255 characters. */
const MAX_REFERENCE_LENGTH = 255;

const WHOLE_PATH = new RegExp(`^${PATH}$`);

export function isImageReference(reference: string): boolean {
  return parseImageReference(reference) !== undefined;
}

export interface ImageReference {
  /** Registry host (and port), e.g. `public.ecr.aws`; undefined means Docker Hub. */
  readonly registry?: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseImageReference(reference: string): ImageReference | undefined {
  const match = reference.length <= MAX_REFERENCE_LENGTH ? IMAGE_REFERENCE_PATTERN.exec(reference) : null;
  if (!match) return undefined;
  // "localhost/app" and "nginx/nginx" both match with a registry; Docker reads the first part as a
  // registry only when it has a dot, a port or is localhost.
  let registry: string | undefined = match[1];
  let path = match[2];
  if (registry && !/[.:[]/.test(registry) && registry !== "localhost") {
    path = `${registry}/${path}`;
    registry = undefined;
    if (!WHOLE_PATH.test(path)) return undefined; // e.g. "Nginx/app": an uppercase repository, not a registry
  }
  return { registry, path, tag: match[3], digest: match[4] };
}

/** Private ECR registries need `aws ecr get-login-password` before a pull. */
export const PRIVATE_ECR_REGISTRY = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

export type ImagePullPolicy = "IfNotPresent" | "Always";

/**
 * How Kubernetes should pull a reference. A digest names one image forever, so a copy already on the
 * node is the right one (IfNotPresent). A tag can be moved to another image, so every container start
 * asks the registry (Always): all replicas then run what the tag names now, not whatever image each
 * node happened to pull last.
 */
export function imagePullPolicyFor(reference: string): ImagePullPolicy {
  return parseImageReference(reference)?.digest ? "IfNotPresent" : "Always";
}
