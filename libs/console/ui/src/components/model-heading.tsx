import type { ReactNode } from 'react';
import { Link } from 'react-router';

/** The `<h1>` of a page under one model: `Models / {name} / {children}`, linking the model list and the model's page. */
export function ModelHeading({ name, children }: { name: string; children: ReactNode }) {
  return (
    <h1>
      <Link to="/models">Models</Link> / <Link to={`/models/${encodeURIComponent(name)}`}>{name}</Link> / {children}
    </h1>
  );
}
