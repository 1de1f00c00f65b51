// Registers the CDKTF matchers (toHaveResourceWithProperties, toHaveDataSource, ...).
import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";

Testing.setupJest();
