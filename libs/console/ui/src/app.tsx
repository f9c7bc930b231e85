import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, NavLink, Route, Routes } from 'react-router';
import { SessionProvider, useSession } from './components/session';
import { FairnessPageView } from './views/fairness-page';
import { LineagePageView } from './views/lineage-page';
import { LoginView } from './views/login';
import { ModelPageView } from './views/model-page';
import { ModelsListView } from './views/models-list';
import { MonitoringPageView } from './views/monitoring-page';
import { PlatformPageView } from './views/platform-page';
import { DatasetPageView } from './views/dataset-page';
import { DatasetVersionPageView } from './views/dataset-version-page';
import { DatasetsListView } from './views/datasets-list';
import { FeatureStorePageView } from './views/feature-store-page';
import { RolloutPageView, RolloutsPageView } from './views/rollouts-page';
import { RunPageView } from './views/run-page';
import { RunsListView } from './views/runs-list';
import { SearchPageView } from './views/search-page';

function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  if (!session.credential) return <Navigate to="/login" replace />;
  return (
    <div className="shell">
      <header>
        <span className="brand">Strata</span>
        <nav>
          <NavLink to="/models">Models</NavLink>
          <NavLink to="/data">Data</NavLink>
          <NavLink to="/platform">Platform</NavLink>
          <NavLink to="/fairness">Fairness</NavLink>
        </nav>
        <button className="logout" onClick={session.logout}>
          Sign out
        </button>
      </header>
      <main>{children}</main>
    </div>
  );
}

/** The console's routes; every page but /login needs a credential. */
export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<LoginView />} />
          <Route path="/models" element={<Shell><ModelsListView /></Shell>} />
          <Route path="/models/:name" element={<Shell><ModelPageView /></Shell>} />
          <Route path="/models/:name/versions/:version/lineage" element={<Shell><LineagePageView /></Shell>} />
          <Route path="/models/:name/monitoring" element={<Shell><MonitoringPageView /></Shell>} />
          <Route path="/models/:name/rollouts" element={<Shell><RolloutsPageView /></Shell>} />
          <Route path="/models/:name/rollouts/:rolloutId" element={<Shell><RolloutPageView /></Shell>} />
          <Route path="/models/:name/runs" element={<Shell><RunsListView /></Shell>} />
          <Route path="/runs/:runId" element={<Shell><RunPageView /></Shell>} />
          <Route path="/searches/:searchId" element={<Shell><SearchPageView /></Shell>} />
          <Route path="/platform" element={<Shell><PlatformPageView /></Shell>} />
          <Route path="/data" element={<Navigate to="/data/datasets" replace />} />
          <Route path="/data/datasets" element={<Shell><DatasetsListView /></Shell>} />
          <Route path="/data/datasets/:name" element={<Shell><DatasetPageView /></Shell>} />
          <Route path="/data/datasets/:name/versions/:versionId" element={<Shell><DatasetVersionPageView /></Shell>} />
          <Route path="/data/features" element={<Shell><FeatureStorePageView /></Shell>} />
          <Route path="/fairness/:name?" element={<Shell><FairnessPageView /></Shell>} />
          <Route path="*" element={<Navigate to="/models" replace />} />
        </Routes>
      </BrowserRouter>
    </SessionProvider>
  );
}
