/**
 * With `classroom.accounts.learnersApply`, each learner applies their own stacks from their own account,
 * while the state stays in the class's bucket in the management account, where the instructor, the
 * class-wide CodeBuild batch and the lease read it too. The bucket's policy (the bootstrap stack's) then
 * lets each learner's account reach its own stacks' folders and nothing else.
 *
 * Why the state can cross accounts: Terraform's S3 backend with `encrypt = true` and no `kms_key_id`
 * writes each object with SSE-S3 (AES256), not the bucket's default `aws/s3` KMS key, which no other
 * account may use; and with `BucketOwnerEnforced` the bucket's owner owns every object, whoever wrote it.
 */
import { stateBucketPolicy, stateKey, type ResolvedState } from "../state/backend";
import { kubernetesStackName } from "../core/stacks";
import type { ConfigProblem } from "../core/errors";

/** S3's limit on a bucket policy's size. */
export const BUCKET_POLICY_MAX_SIZE = 20_480;

export interface LearnerStateAccess {
  readonly learnerId: string;
  readonly accountId: string;
  /** The learner's AWS stack: its `-k8s` stack's folder is theirs too. */
  readonly stack: string;
}

/** A stack's folder in the bucket: its state object and its lock file (`<key>.tflock`). */
function stateFolder(state: Pick<ResolvedState, "keyPrefix">, stack: string): string {
  return stateKey(state, stack).replace(/\/terraform\.tfstate$/, "/*");
}

/**
 * The statements the state bucket's policy adds: each learner's account may read, write and delete the
 * objects of its own two stacks (AWS and `-k8s`); all of them may list the bucket, which the backend does
 * at init (the names of the class's stacks, never their content).
 */
export function learnerStateStatements(bucketArn: string, state: Pick<ResolvedState, "keyPrefix">, learners: readonly LearnerStateAccess[]): Record<string, unknown>[] {
  if (learners.length === 0) return [];
  return [
    { Sid: "LearnerAccountsListTheBucket", Effect: "Allow", Principal: { AWS: learners.map((l) => `arn:aws:iam::${l.accountId}:root`) }, Action: "s3:ListBucket", Resource: bucketArn },
    ...learners.map((l) => ({
      Sid: `StateOf${l.learnerId.replace(/[^A-Za-z0-9]/g, "")}${l.accountId}`,
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${l.accountId}:root` },
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: [`${bucketArn}/${stateFolder(state, l.stack)}`, `${bucketArn}/${stateFolder(state, kubernetesStackName(l.stack))}`],
    })),
  ];
}

/** A class whose statements, with the bucket's own, would exceed S3's limit: refused at synth rather than at the bootstrap's apply. */
export function learnerStateProblems(bucket: string, state: Pick<ResolvedState, "keyPrefix">, learners: readonly LearnerStateAccess[]): ConfigProblem[] {
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const size = JSON.stringify(stateBucketPolicy(bucketArn, learnerStateStatements(bucketArn, state, learners))).length;
  if (size <= BUCKET_POLICY_MAX_SIZE) return [];
  return [
    {
      field: "classroom.roster",
      value: `${learners.length} learners with an accountId`,
      expected: `a class whose state bucket policy fits S3's ${BUCKET_POLICY_MAX_SIZE.toLocaleString("en-US")} characters with classroom.accounts.learnersApply (this one takes ${size.toLocaleString("en-US")}): split the class into two configs, each with its own state.bucket`,
    },
  ];
}
