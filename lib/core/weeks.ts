/** Parsing of week selections ("1-3,6", [1, 2, "5-6"]) and dependency resolution over the registry. */
import type { AnyStudyModule } from "./module";

export const FIRST_WEEK = 1;

/** The study's last week: the highest week a module of the registry belongs to (10 for today's STUDY_MODULES). */
export function lastWeekOf(registry: readonly AnyStudyModule[]): number {
  return Math.max(FIRST_WEEK, ...registry.map((m) => m.week));
}

/**
 * Returns the sorted set of weeks, or an explanation of what is wrong with the selection. A week exists
 * from FIRST_WEEK up to the registry's last week (`lastWeekOf`).
 */
export function parseWeekSelection(spec: string | number | ReadonlyArray<string | number>, registry: readonly AnyStudyModule[]): number[] | string {
  const lastWeek = lastWeekOf(registry);
  const parts = (Array.isArray(spec) ? spec : [spec]).flatMap((item) =>
    typeof item === "number" ? [String(item)] : String(item).split(","),
  );
  const weeks = new Set<number>();
  for (const raw of parts) {
    const part = raw.trim();
    if (part === "") continue;
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    const [from, to] = range ? [Number(range[1]), Number(range[2])] : /^\d+$/.test(part) ? [Number(part), Number(part)] : [NaN, NaN];
    if (Number.isNaN(from)) return `"${part}" is not a week number or a range like 1-3`;
    if (from > to) return `range "${part}" runs backwards`;
    for (let week = from; week <= to; week++) {
      if (week < FIRST_WEEK || week > lastWeek) return `week ${week} does not exist (the study has weeks ${FIRST_WEEK}-${lastWeek})`;
      weeks.add(week);
    }
  }
  if (weeks.size === 0) return `at least one week`;
  return [...weeks].sort((a, b) => a - b);
}

export interface AddedModule {
  readonly module: AnyStudyModule;
  /** The module whose `requires` pulled this one in. */
  readonly neededBy: AnyStudyModule;
}

export interface ModuleSelection {
  /** Enabled modules, dependencies (and enabled `after` modules) before dependants (then by week, then registry order). */
  readonly modules: readonly AnyStudyModule[];
  /** Modules enabled only because another enabled module requires them. */
  readonly added: readonly AddedModule[];
}

export function selectModules(weeks: readonly number[], registry: readonly AnyStudyModule[]): ModuleSelection {
  const byId = new Map(registry.map((m) => [m.id, m]));
  const chosen = new Set(registry.filter((m) => weeks.includes(m.week) || m.alwaysOn).map((m) => m.id));
  const added: AddedModule[] = [];
  const pending = [...chosen];
  while (pending.length > 0) {
    const module = byId.get(pending.shift()!)!;
    for (const dependencyId of module.requires ?? []) {
      const dependency = byId.get(dependencyId);
      if (!dependency) throw new Error(`module "${module.id}" requires "${dependencyId}", which is not registered`);
      if (chosen.has(dependencyId)) continue;
      chosen.add(dependencyId);
      added.push({ module: dependency, neededBy: module });
      pending.push(dependencyId);
    }
  }
  return { modules: orderByDependencies(registry.filter((m) => chosen.has(m.id)), byId), added };
}

function orderByDependencies(modules: AnyStudyModule[], byId: Map<string, AnyStudyModule>): AnyStudyModule[] {
  const ordered: AnyStudyModule[] = [];
  const state = new Map<string, "visiting" | "done">();
  const enabled = new Set(modules.map((m) => m.id));
  const visit = (module: AnyStudyModule, trail: string[]) => {
    if (state.get(module.id) === "done") return;
    if (state.get(module.id) === "visiting") throw new Error(`modules depend on each other in a cycle: ${[...trail, module.id].join(" -> ")}`);
    state.set(module.id, "visiting");
    const enabledAfter = (module.after ?? []).filter((id) => enabled.has(id));
    for (const id of [...(module.requires ?? []), ...enabledAfter]) visit(byId.get(id)!, [...trail, module.id]);
    state.set(module.id, "done");
    ordered.push(module);
  };
  for (const module of [...modules].sort((a, b) => a.week - b.week)) visit(module, []);
  return ordered;
}
