export { HostError, toHostError, isApiErrorKind, type Host } from "./host";
export { HostProvider, useHost } from "./context";
