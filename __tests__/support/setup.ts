// Registers the CDKTF matchers (toHaveResourceWithProperties, toHaveDataSource, ...).
import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";
import { errorStackTracesOnly } from "../../modules/app/synth/stack-traces";

Testing.setupJest();

// cdktf captures and reads a stack trace for every token it makes; under jest each frame went
// through source-map-support (a second of a unit run). As in synthesis, only errors' traces are formatted.
Error.prepareStackTrace = errorStackTracesOnly(Error.prepareStackTrace);
