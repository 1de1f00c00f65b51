// The public API of the modules.
export * from "./access-key";
export * from "./admin-group";
export * from "./admin-user";
export * from "./config";
export * from "./incident-manager-service-linked-role";
export * from "./incident-manager-setup-stack";
export * from "./app";
