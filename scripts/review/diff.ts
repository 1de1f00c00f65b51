// The comparison with a base: resources and outputs added, removed, changed or replaced. Part of npm
// run review; scripts/review-lib.ts re-exports the public API.
import { SECRETS_OUTPUT, USERS_OUTPUT } from "../../modules/app/stacks/setup-stack";
import { REPLACEMENT_CONSEQUENCE, replacementCauses } from "../../modules/app/synth/replacements";
import { arr, bodyChanges, code, isObject, isSecretAttribute, obj, showValue, sorted, withoutMeta } from "./helpers";
import { StackView, retiredOf, warningsByStack, warningsOf } from "./read";
import { Json, ReviewDiff, ReviewWarning, StackChange, SynthOutput } from "./types";

// ---------------------------------------------------------------------------------------------
// Comparison

/** Everything of a stack that is compared, by address, bodies without "//". */
export function comparable(stack: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  const view = new StackView(stack);
  for (const b of [...view.resources, ...view.data]) out.set(b.address, b.body);
  for (const i of arr(stack.import).map(obj)) out.set(`import ${String(i.to)}`, withoutMeta(i));
  for (const [type, configs] of Object.entries(obj(stack.provider))) {
    const list = arr(configs);
    list.forEach((c, n) => out.set(`provider.${type}${list.length > 1 ? `[${n}]` : ""}`, withoutMeta(c)));
  }
  for (const [type, config] of Object.entries(obj(obj(stack.terraform).backend))) out.set(`backend.${type}`, obj(config));
  for (const [name, p] of Object.entries(obj(obj(stack.terraform).required_providers))) out.set(`required_providers.${name}`, obj(p));
  for (const [name, check] of Object.entries(obj(stack.check))) out.set(`check.${name}`, obj(check));
  // Variables: the provider's role is one (its default is the configured assumeRoleArn).
  for (const [name, variable] of Object.entries(obj(stack.variable))) out.set(`variable.${name}`, withoutMeta(variable));
  for (const r of arr(stack.removed).map(obj)) out.set(`removed ${String(r.from)}`, withoutMeta(r));
  return out;
}

/** An output's value is never shown when it is sensitive (on either side) or named like a secret. */
export function outputHidden(name: string, ...bodies: (Json | undefined)[]): boolean {
  return bodies.some((b) => b?.sensitive === true) || isSecretAttribute(name);
}

/**
 * The differences between two versions of a stack, one line each, sorted by address:
 * `- address` (removed), `+ address` (added), `~ address: attribute old -> new` (changed, one line
 * per attribute, the `"//"` metadata ignored), then `+ output name`, `- output name` and
 * `~ output name: ...` (values of sensitive outputs never shown).
 */
export function diffStacks(baseJson: Json, headJson: Json): string[] {
  const base = comparable(baseJson);
  const head = comparable(headJson);
  const lines: string[] = [];
  for (const address of sorted(new Set([...base.keys(), ...head.keys()]))) {
    const before = base.get(address);
    const after = head.get(address);
    if (!before && after) {
      const importId = address.startsWith("import ") ? after.id : undefined;
      lines.push(`+ ${address}${importId !== undefined ? ` (id ${showValue("id", importId)})` : ""}`);
    } else if (before && !after) {
      const forgotten = head.has(`removed ${address}`) ? " (forgotten: a removed block leaves it in AWS, no longer managed)" : "";
      lines.push(`- ${address}${forgotten}`);
    } else if (before && after) {
      const causes = replacementOf(address, before, after);
      if (causes) lines.push(`! ${address}: replaced, not changed in place: ${causes}`);
      for (const change of bodyChanges(before, after)) lines.push(`~ ${address}: ${change}`);
    }
  }
  const baseOut = obj(baseJson.output);
  const headOut = obj(headJson.output);
  for (const name of sorted(new Set([...Object.keys(baseOut), ...Object.keys(headOut)]))) {
    const before = isObject(baseOut[name]) ? (baseOut[name] as Json) : undefined;
    const after = isObject(headOut[name]) ? (headOut[name] as Json) : undefined;
    const sensitive = (before ?? after)?.sensitive === true ? " (sensitive)" : "";
    if (!before && after) lines.push(`+ output ${name}${sensitive}`);
    else if (before && !after) lines.push(`- output ${name}${sensitive}`);
    else if (before && after) {
      const hidden = outputHidden(name, before, after);
      if (isObject(before.value) && isObject(after.value) && MAP_OUTPUTS.includes(name)) {
        lines.push(...userMapChanges(name, before.value, after.value, hidden));
        continue;
      }
      for (const change of bodyChanges(before, after, (path) => hidden && path !== "sensitive" && path !== "description")) {
        lines.push(`~ output ${name}: ${change}`);
      }
    }
  }
  return lines;
}

/**
 * Why a resource is replaced rather than changed (the arguments that force it, as the provider
 * documents them, and what that costs), or undefined when the change is made in place.
 */
export function replacementOf(address: string, before: Json, after: Json): string | undefined {
  const match = /^([a-z0-9_]+)\.[^\s.]+$/.exec(address);
  if (!match) return undefined;
  const causes = replacementCauses(match[1], before, after);
  if (causes.length === 0) return undefined;
  const consequence = REPLACEMENT_CONSEQUENCE[match[1]];
  return `${causes.join(", ")} ${causes.length === 1 ? "forces" : "force"} replacement${consequence ? ` (${consequence})` : ""}`;
}

/** The outputs that are maps by user name (see modules/app/stacks/setup-stack.ts). */
export const MAP_OUTPUTS: readonly string[] = [USERS_OUTPUT, SECRETS_OUTPUT];

/** Changes of a by-user map output, one line per user added or removed and per attribute changed. */
export function userMapChanges(name: string, before: Json, after: Json, hidden: boolean): string[] {
  const label = `~ output ${name}${hidden ? " (sensitive)" : ""}`;
  const lines: string[] = [];
  for (const user of sorted(new Set([...Object.keys(before), ...Object.keys(after)]))) {
    if (!(user in before)) lines.push(`${label}: user ${JSON.stringify(user)} added`);
    else if (!(user in after)) lines.push(`${label}: user ${JSON.stringify(user)} removed`);
    else {
      const [b, a] = [obj(before[user]), obj(after[user])];
      const [bKeys, aKeys] = [obj(b.access_keys), obj(a.access_keys)];
      const { access_keys: _b, ...bRest } = b;
      const { access_keys: _a, ...aRest } = a;
      const at = `${label}: user ${JSON.stringify(user)}`;
      for (const change of bodyChanges(bRest, aRest, () => hidden)) lines.push(`${at}: ${change}`);
      for (const id of sorted(new Set([...Object.keys(bKeys), ...Object.keys(aKeys)]))) {
        if (!(id in bKeys)) lines.push(`${at}: access key ${JSON.stringify(id)} added`);
        else if (!(id in aKeys)) lines.push(`${at}: access key ${JSON.stringify(id)} removed`);
        else if (hidden) {
          if (JSON.stringify(bKeys[id]) !== JSON.stringify(aKeys[id]))
            lines.push(`${at}: access key ${JSON.stringify(id)} changed (sensitive, not shown)`);
        } else {
          for (const change of bodyChanges(obj(bKeys[id]), obj(aKeys[id])))
            lines.push(`${at}: access key ${JSON.stringify(id)}: ${change}`);
        }
      }
    }
  }
  return lines;
}

export function managedCount(stack: Json): number {
  return new StackView(stack).resources.length;
}

export function warningText(stack: string, w: ReviewWarning): string {
  const where = w.path === stack ? "" : `${code(w.path.slice(stack.length + 1))}: `;
  return `${where}${w.message}`;
}

/** Compares a base with the head: stacks added, removed and changed (unchanged ones are left out). */
export function diffOutputs(base: SynthOutput, head: SynthOutput): ReviewDiff {
  const stacks: StackChange[] = [];
  // The warnings by stack once (not a pass over all of them per stack: thousands of stacks).
  const [baseWarnings, headWarnings] = [warningsByStack(base.warnings), warningsByStack(head.warnings)];
  for (const name of sorted(new Set([...Object.keys(base.stacks), ...Object.keys(head.stacks)]))) {
    const before = base.stacks[name];
    const after = head.stacks[name];
    // Only warnings that need action: a manifest (a base folder) holds no notes or acknowledged ones.
    const actionable = (ws: readonly ReviewWarning[]) => warningsOf(name, ws).filter((w) => (w.kind ?? "action") === "action");
    const wBefore = new Set(actionable(baseWarnings.get(name) ?? []).map((w) => warningText(name, w)));
    const wAfter = new Set(actionable(headWarnings.get(name) ?? []).map((w) => warningText(name, w)));
    if (!before && after) {
      stacks.push({ stack: name, change: "added", lines: [], resourceCount: managedCount(after), warningsAdded: [], warningsRemoved: [] });
    } else if (before && !after) {
      stacks.push({
        stack: name,
        change: "removed",
        lines: [],
        resourceCount: managedCount(before),
        warningsAdded: [],
        warningsRemoved: [],
      });
    } else if (before && after) {
      const lines = diffStacks(before, after);
      const warningsAdded = sorted([...wAfter].filter((w) => !wBefore.has(w)));
      const warningsRemoved = sorted([...wBefore].filter((w) => !wAfter.has(w)));
      if (lines.length + warningsAdded.length + warningsRemoved.length > 0) {
        const retired = retiredOf(after) !== undefined && retiredOf(before) === undefined;
        stacks.push({
          stack: name,
          change: "changed",
          lines,
          resourceCount: managedCount(after),
          warningsAdded,
          warningsRemoved,
          ...(retired ? { retired } : {}),
        });
      }
    }
  }
  return { stacks };
}
