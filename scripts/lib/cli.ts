// What the command-line scripts share.

/** The command line is wrong: the script prints its usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
