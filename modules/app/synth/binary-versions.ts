// cdktf adds a check that terraform >= 1.5 is on PATH to every import block it writes
// (cdktf/lib/importable-resource.js and TerraformResource.importFrom in terraform-resource.js), and
// each check runs `terraform version` in a shell (ValidateBinaryVersion.validate,
// cdktf/lib/validations/validate-binary-version.js: execSync). Adopting is one import block per
// role, group, attachment, user and login profile: 50 accounts adopting 7 each took 35 s to
// synthesize against 1 s creating them, nearly all of it those 350 shells. The answer cannot change
// during a synthesis, so each distinct check runs once per synthesis (per thread) and every
// construct that has it gets its answer: a missing terraform is still reported for each of them.
// A check that passed is not asked again in this process while PATH and the binary stay the same.
import { ValidateBinaryVersion } from "cdktf/lib/validations/validate-binary-version";

const answers = new Map<string, string[]>();
const passed = new Set<string>();

/** Forgets the answers, at the start of a synthesis (terraform may have been installed since the last). */
export function forgetBinaryVersions(): void {
  answers.clear();
}

/** Runs `work` while each distinct binary version check gets one run and then its remembered answer. */
export function withBinaryVersionsOnce<R>(work: () => R): R {
  const proto = ValidateBinaryVersion.prototype;
  const original = proto.validate;
  proto.validate = function (this: ValidateBinaryVersion): string[] {
    const check = this as unknown as { binary: string; versionCommand: string; versionConstraint: string; hint?: string };
    const key = JSON.stringify([check.binary, check.versionCommand, check.versionConstraint, check.hint]);
    const where = JSON.stringify([key, process.env.PATH, process.env.TERRAFORM_BINARY_NAME]);
    let answer = passed.has(where) ? [] : answers.get(key);
    if (answer === undefined) {
      answer = original.call(this);
      answers.set(key, answer);
      if (answer.length === 0) passed.add(where);
    }
    return [...answer];
  };
  try {
    return work();
  } finally {
    proto.validate = original;
  }
}
