/**
 * A problem in the study config that the learner can fix. Each entry names the field,
 * the value that was given and what is expected, so the message is actionable on its own.
 */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `network.vpcCidr`. */
  readonly field: string;
  /** The value found there (undefined when the field is missing). */
  readonly value: unknown;
  /** What the field accepts, phrased to complete "expected …". */
  readonly expected: string;
}

export class StudyConfigError extends Error {
  constructor(readonly source: string, readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => formatProblem(source, p)).join("\n"));
    this.name = "StudyConfigError";
  }
}

export function formatProblem(source: string, problem: ConfigProblem): string {
  const shown = problem.value === undefined ? "nothing" : JSON.stringify(problem.value);
  return `${source}: ${problem.field || "(top level)"} = ${shown} is not valid; expected ${problem.expected}`;
}

/**
 * AWS names have hard length limits, and ours are derived from `<project>-<environment>`: a long
 * pair pushes a derived name past the limit, which AWS would only refuse at apply.
 */
export function nameLengthProblems(study: { readonly environment: string }, what: string, name: string, limit = 64, authority = "AWS"): ConfigProblem[] {
  if (name.length <= limit) return [];
  return [{ field: "environment", value: study.environment, expected: `a shorter project or environment: ${what} ${name} has ${name.length} characters, ${authority} allows ${limit}` }];
}
