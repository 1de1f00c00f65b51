// The errors of the app whose message is for the user: a command that synthesizes exits 1 with it.
import { StrictError, SynthError } from "../../modules/app";
import { ConfigError } from "../../modules/app/config";
import { IncompleteOutputError } from "../../modules/app/synth/output-journal";
import { OutputBusyError } from "../../modules/app/synth/output-lock";

export const SYNTH_FAILURES = [ConfigError, SynthError, StrictError, OutputBusyError, IncompleteOutputError];
