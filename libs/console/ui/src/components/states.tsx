import type { ReactNode } from 'react';
import { ConsoleApiError } from '../api/console-client';
import type { Loaded } from './use-load';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state loading" role="status" data-testid="loading">
      Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="state empty" data-testid="empty">
      {children}
    </div>
  );
}

/** An error naming the service that failed (and whether it is down or refused the call). */
export function ErrorBox({ error }: { error: unknown }) {
  if (error instanceof ConsoleApiError) {
    const title = error.unreachable
      ? `${error.service} is unavailable`
      : error.status === 401
        ? 'Not signed in: the API key was refused'
        : error.status === 403
          ? `${error.service} refused: your role may not do this`
          : error.status === 404
            ? 'Not found'
            : `${error.service} answered ${error.status}`;
    return (
      <div className="state error" role="alert" data-testid="error" data-service={error.service}>
        <strong>{title}</strong>
        <div>{error.message}</div>
      </div>
    );
  }
  return (
    <div className="state error" role="alert" data-testid="error">
      <strong>Unexpected error</strong>
      <div>{error instanceof Error ? error.message : String(error)}</div>
    </div>
  );
}

/** Loading / error / content of one loaded value. */
export function Show<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (data: T) => ReactNode }) {
  if (loaded.state === 'loading') return <Loading what={what} />;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} />;
  return <>{children(loaded.data)}</>;
}
