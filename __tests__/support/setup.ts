// Registers the CDKTF matchers (toHaveResourceWithProperties, toHaveDataSource, ...).
import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import { errorStackTracesOnly } from "../../modules/app/synth/stack-traces";

Testing.setupJest();

// cdktf captures and reads a stack trace for every token it makes, each frame source-mapped in a
// test process (7.9 s against 7.3 s for the unit run). As in synthesis, only errors get one.
Error.captureStackTrace = errorStackTracesOnly(Error.captureStackTrace);
