import type { HostError } from "../lib/ipc";

export function ErrorMessage({ error, context }: { error: HostError; context?: string }) {
  return (
    <div className="error" role="alert" data-error-kind={error.kind}>
      {context ? <strong>{context}: </strong> : null}
      {error.message}
    </div>
  );
}
