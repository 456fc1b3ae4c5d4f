/**
 * What the cost guard offers the other weeks (`ctx.use(costGuardModule)`): types only, so that the
 * registry entry (./module.ts) and other weeks name them without loading the build code (./build.ts).
 */
export interface CostGuardExports {
  /** The budget's name, when an alert address is set. */
  readonly budgetName?: string;
}
