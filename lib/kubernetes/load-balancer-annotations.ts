/**
 * Service annotations the AWS Load Balancer Controller (v2.x) reads: an internet-facing NLB that sends
 * to the pods' IPs. Week 5's app Service and week 10's Istio gateway ask for their load balancer with them.
 */
export const NLB_ANNOTATIONS = {
  "service.beta.kubernetes.io/aws-load-balancer-type": "external",
  "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
} as const;
