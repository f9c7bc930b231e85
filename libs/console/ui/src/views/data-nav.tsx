import { NavLink } from 'react-router';

/** The Data section's own tabs: datasets, and the feature store (views, entities, services). */
export function DataNav() {
  return (
    <nav className="subnav">
      <NavLink to="/data/datasets">Datasets</NavLink>
      <NavLink to="/data/features">Feature store</NavLink>
    </nav>
  );
}
