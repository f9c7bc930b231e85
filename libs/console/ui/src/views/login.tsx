import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ConsoleClient } from '../api/console-client';
import { Endpoints } from '../api/console-endpoints';
import { ErrorBox } from '../components/states';
import { useSession } from '../components/session';

/**
 * Sign in with an API key (or an OIDC token): checked with one read of the registry before it is
 * kept; a refused key says so, a registry that is down says which service.
 */
export function LoginView() {
  const session = useSession();
  const navigate = useNavigate();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await new ConsoleClient({ credential: key.trim() }).call(Endpoints.listModels, { query: { limit: 1 } });
      session.login(key.trim());
      void navigate('/models');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login">
      <h1>Strata console</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="api-key">API key or token</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} placeholder="stk_…" />
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <p className="hint">The console holds no rights of its own: every call carries your key, and the services check your role.</p>
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}
