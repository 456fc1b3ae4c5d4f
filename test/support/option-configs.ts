/**
 * Configs that between them switch on every option that adds an output, a step or a page section:
 * for the tests that read every generated page (the Korean pages' language, the particles).
 */
import { ALL_WEEKS, ALL_WEEKS_CONFIG } from "./all-weeks";

export const OPTION_CONFIGS: Readonly<Record<string, Record<string, unknown>>> = {
  "every week, the defaults": ALL_WEEKS_CONFIG,
  "every week, a GitHub source with GitHub Actions, a load balancer, blue/green, KMS, learners": {
    ...ALL_WEEKS_CONFIG,
    cicd: { source: { provider: "github", repository: "octocat/hello-docker" }, githubActions: { enabled: true }, artifacts: { encryption: "KMS" } },
    dockerHost: { loadBalancer: { enabled: true }, blueGreen: { enabled: true, idleTrafficPercent: 10 }, ecr: { encryption: "KMS" } },
    notifications: { emails: ["learner@example.com"] },
    security: { learners: { enabled: true, users: ["kim"] } },
  },
  "every week, VPC Lattice, OpenSearch, Prometheus": {
    ...ALL_WEEKS_CONFIG,
    serviceMesh: { provider: "vpc-lattice" },
    logging: { openSearch: { enabled: true } },
    monitoring: { prometheus: { managed: true, kubePrometheusStack: true } },
  },
  "weeks 1-5 on a local cluster": { ...ALL_WEEKS_CONFIG, weeks: "1-5" },
};

export { ALL_WEEKS };
