// What the user is told about the configuration: each warning with its place in the configuration (set by
// the stack that made the construct), matched against `acknowledge`, stale acknowledgements reported.
import { App } from "cdktf";
import { IConstruct } from "constructs";
import { SetupConfig, accessKeyId } from "./config";
import { ACKNOWLEDGEABLE, ACKNOWLEDGED_METADATA, COMPARISON_IDS, NOTE_METADATA, WarningId, warningIdOf, withId } from "../core/warnings";

/**
 * Where a construct's settings come from in the configuration, as the user wrote them:
 * `adminGroup`, `adminUsers[1] (bob)`, `adminUsers[1].accessKeys[0] (bob, key 1)`; undefined for others.
 */
export function configLocation(config: SetupConfig, path: string): string | undefined {
  const [stack, first, second] = path.split("/");
  const ic = config.identityCenter;
  if (ic && stack === ic.name && first) {
    if (first === "PermissionSet") return "identityCenter.permissionSet";
    if (first === "Group") return "identityCenter.group";
    const u = ic.users.findIndex((user) => `User-${user.userName}` === first);
    if (u >= 0) return `identityCenter.users[${u}] (${ic.users[u].userName})`;
    if (first.startsWith("Assignment-")) return `identityCenter.assignTo (${first.slice("Assignment-".length)})`;
    return undefined;
  }
  const account = config.accounts.find((a) => a.name === stack);
  if (!account || !first) return undefined;
  if (first === "AdminGroup") return "adminGroup";
  if (!first.startsWith("AdminUser-")) return undefined;
  const u = account.adminUsers.findIndex((user) => `AdminUser-${user.name}` === first);
  if (u < 0) return undefined;
  const user = account.adminUsers[u];
  if (!second?.startsWith("AccessKey-")) return `adminUsers[${u}] (${user.name})`;
  const k = user.accessKeys.findIndex((key, i) => `AccessKey-${accessKeyId(key, i)}` === second);
  return k < 0
    ? `adminUsers[${u}] (${user.name})`
    : `adminUsers[${u}].accessKeys[${k}] (${user.name}, key ${accessKeyId(user.accessKeys[k], k)})`;
}

const RECORDED_TYPES = new Set(["@cdktf/warn", NOTE_METADATA, ACKNOWLEDGED_METADATA]);

/**
 * The constructs word their warnings in their own terms; for the user of the app, each gets the
 * place in the configuration it comes from (so cdktf's CLI, the manifest and the review read alike).
 * A warning the configuration acknowledges becomes metadata of our own: no longer a CDKTF warning
 * (neither printed nor in the manifest), still in {@link synthWarnings} for the review.
 */
export function labelWarnings(app: App, config: SetupConfig): void {
  for (const construct of app.node.findAll()) {
    const where = configLocation(config, construct.node.path);
    for (const entry of construct.node.metadata) {
      if (!RECORDED_TYPES.has(entry.type)) continue;
      const mutable = entry as { type: string; data: unknown };
      if (where) mutable.data = `${where}: ${String(entry.data)}`;
      const id = warningIdOf(String(entry.data));
      if (entry.type === "@cdktf/warn" && acknowledgementOf(config, construct.node.path, id) !== undefined) {
        mutable.type = ACKNOWLEDGED_METADATA;
      }
    }
  }
}

/** The user a construct path belongs to: `prod/AdminUser-alice/...` is alice, `identity-center/User-bob` bob. */
function userOfPath(config: SetupConfig, path: string): string | undefined {
  const [stack, first] = path.split("/");
  const prefix = config.identityCenter && stack === config.identityCenter.name ? "User-" : "AdminUser-";
  return first?.startsWith(prefix) ? first.slice(prefix.length) : undefined;
}

/**
 * The index in `acknowledge` of the first entry that acknowledges a warning of `id` recorded at
 * `path`: same id, and the entry's account (a stack name) and user, where given, are the
 * warning's. Undefined when none does.
 */
export function acknowledgementOf(config: SetupConfig, path: string, id: WarningId | undefined): number | undefined {
  if (id === undefined) return undefined;
  const stack = path.split("/")[0];
  const user = userOfPath(config, path)?.toLowerCase();
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
    if (compared.some((w) => w.kind === "acknowledged" && acknowledgementOf(config, w.path, w.id) === i)) return [];
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
    const index = w.kind === "note" ? undefined : acknowledgementOf(config, w.path, w.id);
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
 * asks for: review and README only).
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
        return { path: c.node.path, message, ...(id ? { id } : {}), kind: KIND_OF_TYPE[m.type] };
      }),
  );
}

/** Options of {@link synthesize}. */
