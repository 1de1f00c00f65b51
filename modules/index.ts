// The public API of the modules.
export * from "./access-key";
export * from "./account-alias";
export * from "./account-password-policy";
export * from "./admin-group";
export * from "./admin-user";
export * from "./app";
export * from "./arns";
export * from "./check-block";
export * from "./checkov";
export * from "./config";
export * from "./incident-manager-service-linked-role";
export * from "./incident-manager-setup-policy";
export * from "./incident-manager-setup-stack";
export * from "./replacements";
