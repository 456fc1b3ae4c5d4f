import { z } from "zod";
import { cidrListSchema, instanceTypeSchema } from "../../lib/aws/ec2";
import { IMAGE_REFERENCE_EXPECTED, isImageReference } from "../../lib/containers/image-reference";

export const DOCKER_HOST_DEFAULTS = {
  instanceType: "t3.micro",
  rootVolumeGiB: 16,
  /** Docker's official nginx image through ECR Public: no Docker Hub pull-rate limit. */
  image: "public.ecr.aws/docker/library/nginx:stable",
  hostPort: 80,
  containerPort: 80,
  keepLastImages: 10,
  healthCheckPath: "/",
  testPort: 8080,
} as const;

/** The two hosts of a blue/green Docker host, in the order they are built. */
export const BLUE_GREEN_COLORS = ["blue", "green"] as const;
export type BlueGreenColor = (typeof BLUE_GREEN_COLORS)[number];

const port = z.number().int().min(1).max(65535);

export const dockerHostSettings = z.strictObject({
  /** Instance type of the Docker host (Graviton types get the arm64 image). @default t3.micro (free tier) */
  instanceType: instanceTypeSchema.default(DOCKER_HOST_DEFAULTS.instanceType),
  /** Root volume size; images and layers live there. @default 16 */
  rootVolumeGiB: z.number().int().min(8).max(200).default(DOCKER_HOST_DEFAULTS.rootVolumeGiB),
  container: z
    .strictObject({
      /**
       * The image the host runs as a systemd service until week 3 deploys your own. A reference Docker would refuse
       * (`nginx:latest:bad`, `Nginx`, spaces) stops synth instead of the host's first boot.
       * @default public.ecr.aws/docker/library/nginx:stable
       */
      image: z.string().refine(isImageReference, IMAGE_REFERENCE_EXPECTED).default(DOCKER_HOST_DEFAULTS.image),
      /** Port on the host (the load balancer's target). @default 80 */
      hostPort: port.default(DOCKER_HOST_DEFAULTS.hostPort),
      /** Port the container listens on. @default 80 */
      containerPort: port.default(DOCKER_HOST_DEFAULTS.containerPort),
    })
    .prefault({}),
  ecr: z
    .strictObject({
      /** Tags cannot be overwritten (each build pushes a new tag); false lets a push overwrite a tag. @default true */
      immutableTags: z.boolean().default(true),
      /** The lifecycle policy keeps this many most recent images. @default 10 */
      keepLastImages: z.number().int().min(1).max(1000).default(DOCKER_HOST_DEFAULTS.keepLastImages),
      /** AES256 (S3-managed keys, free) or KMS (a rotating customer-managed key, about 1 USD/month). @default AES256 */
      encryption: z.enum(["AES256", "KMS"]).default("AES256"),
      /** Let `terraform destroy` delete a repository that still holds images. @default false */
      forceDelete: z.boolean().default(false),
    })
    .prefault({}),
  loadBalancer: z
    .strictObject({
      /**
       * An internet-facing Application Load Balancer in the public subnets (about 24 USD/month with its two public
       * addresses). Needs at least two AZs. @default false
       */
      enabled: z.boolean().default(false),
      /** Path the target group checks on the host. @default / */
      healthCheckPath: z
        .string()
        .regex(/^\/[\w./~%-]*$/, "an absolute URL path such as / or /healthz")
        .max(1024)
        .default(DOCKER_HOST_DEFAULTS.healthCheckPath),
      /** Who may reach the load balancer's HTTP listener on port 80; narrow it to your address (`203.0.113.10/32`) if you like. @default [0.0.0.0/0] - the internet */
      ingressCidrs: cidrListSchema("dockerHost.loadBalancer.ingressCidrs").min(1).default(["0.0.0.0/0"]),
    })
    .prefault({}),
  blueGreen: z
    .strictObject({
      /**
       * Two hosts, blue and green, behind the load balancer: the new version goes to the idle one, you test it on
       * `testPort`, then switch `live`. Needs loadBalancer.enabled; the second host costs as much as the first. @default false
       */
      enabled: z.boolean().default(false),
      /**
       * The color the load balancer's port 80 sends traffic to; week 3 deploys to the other, idle one. Change it and
       * apply to switch (or to roll back). @default blue
       */
      live: z.enum(BLUE_GREEN_COLORS).default("blue"),
      /** Share of port-80 requests sent to the idle color before the switch (a canary); 0 sends none. @default 0 */
      idleTrafficPercent: z.number().int().min(0).max(50).default(0),
      /** A second listener on this port reaches the idle color only, to test it before the switch. @default 8080 */
      testPort: port.refine((p) => p !== 80, "a port other than 80 (the live listener's)").default(DOCKER_HOST_DEFAULTS.testPort),
      /** The image the blue host boots with (week 3 deploys replace it); only with `enabled: true`. @default - `container.image` */
      blueImage: z.string().refine(isImageReference, IMAGE_REFERENCE_EXPECTED).optional(),
      /** The image the green host boots with (week 3 deploys replace it); only with `enabled: true`. @default - `container.image` */
      greenImage: z.string().refine(isImageReference, IMAGE_REFERENCE_EXPECTED).optional(),
    })
    .prefault({}),
});

export type DockerHostSettings = z.output<typeof dockerHostSettings>;
