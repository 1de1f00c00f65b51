// What the user is told about the configuration: each warning with its place in the configuration (set by
// the stack that made the construct), matched against `acknowledge`, stale acknowledgements reported.
import { App, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { SetupConfig } from "./config";
import { placeOf } from "./places";
import { ACKNOWLEDGEABLE, ACKNOWLEDGED_METADATA, COMPARISON_IDS, NOTE_METADATA, WarningId, warningIdOf, withId } from "../core/warnings";

const RECORDED_TYPES = new Set(["@cdktf/warn", NOTE_METADATA, ACKNOWLEDGED_METADATA]);

/**
 * The constructs word their warnings in their own terms; for the user of the app, each gets the
 * place in the configuration it comes from (so cdktf's CLI, the manifest and the review read alike).
 * A warning the configuration acknowledges becomes metadata of our own: no longer a CDKTF warning
 * (neither printed nor in the manifest), still in {@link synthWarnings} for the review.
 */
export function labelWarnings(app: App, config: SetupConfig): void {
  for (const construct of app.node.findAll()) {
    const place = placeOf(construct);
    const at = { stack: stackOf(construct), user: place?.user };
    for (const entry of construct.node.metadata) {
      if (!RECORDED_TYPES.has(entry.type)) continue;
      const mutable = entry as { type: string; data: unknown };
      if (place) mutable.data = `${place.where}: ${String(entry.data)}`;
      const id = warningIdOf(String(entry.data));
      if (entry.type === "@cdktf/warn" && acknowledgementOf(config, at, id) !== undefined) {
        mutable.type = ACKNOWLEDGED_METADATA;
      }
    }
  }
}

/** The name of the stack a construct is in (the account's name, or Identity Center's). */
function stackOf(construct: IConstruct): string | undefined {
  return construct.node.scopes.find((scope) => TerraformStack.isStack(scope))?.node.id;
}

/** Where a warning was recorded, as an `acknowledge` entry can narrow it: the stack (its `account`) and the user. */
export interface WarningAt {
  /** The stack's name. */
  readonly stack?: string;
  /** The user the warning is about, where it is about one. */
  readonly user?: string;
}

/**
 * The index in `acknowledge` of the first entry that acknowledges a warning of `id` recorded
 * `at` a stack and user: same id, and the entry's account (a stack name) and user, where given, are the
 * warning's. Undefined when none does.
 */
export function acknowledgementOf(config: SetupConfig, at: WarningAt, id: WarningId | undefined): number | undefined {
  if (id === undefined) return undefined;
  const { stack } = at;
  const user = at.user?.toLowerCase();
  const index = config.acknowledge.findIndex(
    (ack) =>
      ack.id === id && (ack.account === undefined || ack.account === stack) && (ack.user === undefined || ack.user.toLowerCase() === user),
  );
  return index < 0 ? undefined : index;
}

/**
 * Acknowledgements of a comparison with the previous synth (`deletion`, `replacement`,
 * `ignored-change`) that no such warning of this synth matched: one decides one change, and left
 * in place it would hide the next one. Only when there was a previous synth to compare with.
 */
export function staleComparisonAcknowledgements(config: SetupConfig, compared: readonly SynthWarning[]): SynthWarning[] {
  return config.acknowledge.flatMap((ack, i) => {
    if (!COMPARISON_IDS.includes(ack.id)) return [];
    if (compared.some((w) => w.kind === "acknowledged" && acknowledgementOf(config, w, w.id) === i)) return [];
    return [staleWarning(ack, i, "matches no change since the last synth: it decided an earlier change")];
  });
}

/** The warning of an acknowledgement that matches nothing. */
function staleWarning(ack: SetupConfig["acknowledge"][number], i: number, why: string): SynthWarning {
  const scope = [ack.account && `account ${JSON.stringify(ack.account)}`, ack.user && `user ${JSON.stringify(ack.user)}`].filter(Boolean);
  return {
    path: `acknowledge[${i}]`,
    message: withId(
      "stale-acknowledgement",
      `acknowledge[${i}]: ${JSON.stringify(ack.id)}${scope.length > 0 ? ` for ${scope.join(", ")}` : ""} ${why}: remove the ` +
        "entry (or fix its id, account or user), so that it cannot hide a new warning",
    ),
    id: "stale-acknowledgement",
    kind: "action",
  };
}

/** Each warning with the reason of the acknowledgement that matched it; then one warning per acknowledgement that matched none. */
export function withAcknowledgements(config: SetupConfig, warnings: readonly SynthWarning[]): SynthWarning[] {
  const used = new Set<number>();
  const out = warnings.map((w) => {
    const index = w.kind === "note" ? undefined : acknowledgementOf(config, w, w.id);
    if (index === undefined) return w;
    used.add(index);
    return { ...w, kind: "acknowledged" as const, reason: config.acknowledge[index].reason };
  });
  config.acknowledge.forEach((ack, i) => {
    // One that compares with the previous synth is checked after the comparison (staleComparisonAcknowledgements).
    if (used.has(i) || COMPARISON_IDS.includes(ack.id)) return;
    out.push(staleWarning(ack, i, "matches no warning of this configuration any more"));
  });
  return out;
}

/** `--strict`: warnings the configuration does not acknowledge. */
export class StrictError extends Error {
  constructor(readonly warnings: readonly SynthWarning[]) {
    const ids = [...new Set(warnings.map((w) => w.id).filter((id) => id !== undefined && ACKNOWLEDGEABLE.includes(id)))];
    const example = ids.map((id) => ({ id, reason: "<why the team accepts it>" }));
    super(
      `--strict: ${warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`} not acknowledged, nothing written\n` +
        warnings.map((w) => `  - [${w.path}] ${w.message}`).join("\n") +
        (example.length > 0
          ? `\nAct on them, or acknowledge the decided ones in the configuration, each with its reason (and "account" or "user" ` +
            `to narrow it): "acknowledge": ${JSON.stringify(example)}`
          : "\nAct on them: these cannot be acknowledged"),
    );
    this.name = "StrictError";
  }
}

/**
 * A warning recorded on a construct. `kind`: "action" (printed; `--strict` fails on it),
 * "acknowledged" (the configuration's `acknowledge` lists its id), "note" (a deviation the guide
 * asks for: review and docs/operating.md only).
 */
export interface SynthWarning {
  /** Path of the construct (or stack) the warning is recorded on. */
  readonly path: string;
  /** The message, the configuration place first where there is one, the id in brackets last. */
  readonly message: string;
  /** The warning's id, as `acknowledge` lists it. */
  readonly id?: WarningId;
  /** What the user is to do with it (see above). */
  readonly kind: "action" | "acknowledged" | "note";
  /** Why the team accepts it (the matching `acknowledge` entry's reason; acknowledged ones only). */
  readonly reason?: string;
  /** The stack it is about, where it is about one. */
  readonly stack?: string;
  /** The user it is about, where it is about one (the place the stack gave the construct). */
  readonly user?: string;
}

const KIND_OF_TYPE: Record<string, SynthWarning["kind"]> = {
  "@cdktf/warn": "action",
  [ACKNOWLEDGED_METADATA]: "acknowledged",
  [NOTE_METADATA]: "note",
};

/** The warnings, acknowledged warnings and notes recorded on the constructs under a scope, in tree order. */
export function synthWarnings(scope: IConstruct): SynthWarning[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => KIND_OF_TYPE[m.type] !== undefined)
      .map((m) => {
        const message = String(m.data);
        const id = warningIdOf(message);
        const user = placeOf(c)?.user;
        return {
          path: c.node.path,
          message,
          ...(id ? { id } : {}),
          kind: KIND_OF_TYPE[m.type],
          stack: stackOf(c),
          ...(user ? { user } : {}),
        };
      }),
  );
}
