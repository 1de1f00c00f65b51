// The errors of the app whose message is for the user: a command that synthesizes exits 1 with it.
import { StrictError, SynthError } from "../../modules/app";
import { ConfigError } from "../../modules/config";
import { IncompleteOutputError } from "../../modules/output-journal";
import { OutputBusyError } from "../../modules/output-lock";

export const SYNTH_FAILURES = [ConfigError, SynthError, StrictError, OutputBusyError, IncompleteOutputError];
