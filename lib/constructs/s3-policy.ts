/** Bucket-policy statements every bucket of the study carries. */

/** Refuses any request to the bucket that is not over TLS (the gate and auditors look for it). */
export function denyInsecureTransport(bucket: { readonly arn: string }): Record<string, unknown> {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucket.arn, `${bucket.arn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
