// The app, as one import for main.ts and the commands: the configuration, composition, warnings,
// synthesis and the synth command. The library's chosen API is modules/index.ts.
export * from "./config";
export * from "./compose";
export * from "./main";
export * from "./warnings";
export * from "./synth/compare";
export * from "./synth/synthesize";
export * from "./synth/output-lock";
export * from "./synth/replacements";
