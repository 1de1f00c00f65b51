// The unit project runs on jest-light-runner: test files load in plain Node.js, so TypeScript goes through tsx.
import { register } from "tsx/esm/api";
import "tsx/cjs";

register();
