/**
 * The security contexts every pod of the study runs with (week 5's app, week 9's canary): the
 * namespace admits only what Pod Security "restricted" allows, and the security gate checks the same.
 */

/**
 * The user and group the app's containers run as: above 10000, so the UID belongs to no user of the
 * node (CKV_K8S_40), and numeric, so the kubelet can prove runAsNonRoot without reading the image.
 * nginx-unprivileged runs as any user: it writes only to /tmp, an emptyDir here.
 */
export const APP_USER_ID = 10101;

/** The pod-level security context of the study's pods (week 5's app, week 9's canary). */
export const APP_POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: APP_USER_ID,
  runAsGroup: APP_USER_ID,
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/** The container-level security context: no privilege gain, no capabilities, nothing written outside the volumes. */
export const APP_CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
} as const;
