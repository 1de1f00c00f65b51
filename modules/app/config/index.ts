// The configuration, as one import for the app and the commands: the schema, the cross-checks' helpers,
// the errors and the file loading.
export * from "./account-schema";
export * from "./errors";
export * from "./load";
export * from "./schema";
