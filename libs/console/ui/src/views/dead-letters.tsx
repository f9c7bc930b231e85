import { useState } from 'react';
import { platformApi } from '@strata/contracts/api';
import { ConsoleApiError } from '../api/console-client';
import { Endpoints } from '../api/console-endpoints';
import { deadLetterGroups, deadLetterTopicRows, mayReplayDeadLetters, type DeadLetterTopicRow } from '../mapping/platform-admin';
import { pageOf } from '../mapping/paging';
import { Pager } from '../components/pager';
import { Empty, ErrorBox, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useSession } from '../components/session';

/**
 * Dead letters: the dead-letter topics holding records; a topic opens its records grouped by
 * consumer group. Replay (one record, or all of the topic) goes through the console with the
 * user's own credential; its buttons are shown only to a role with `dead-letters:write` (from
 * `GET /auth/whoami`), and the service still decides (a 403 is shown).
 */
export function DeadLettersSection() {
  const { client } = useSession();
  const [reload, setReload] = useState(0);
  const [open, setOpen] = useState<DeadLetterTopicRow | undefined>();
  // The last replay's outcome outlives the reload of the lists it triggers.
  const [notice, setNotice] = useState<string | undefined>();
  const topics = useLoad(() => client.call(platformApi('registry').deadLetterTopics, {}).then(deadLetterTopicRows), [client, reload]);
  const who = useLoad(
    () =>
      client.call(Endpoints.whoami, {}).catch((e: unknown) => {
        // a service without /auth/whoami: no replay buttons rather than no page
        if (e instanceof ConsoleApiError && e.status === 404) return undefined;
        throw e;
      }),
    [client],
  );
  const canReplay = who.state === 'ok' && mayReplayDeadLetters(who.data);
  return (
    <div data-testid="dead-letters">
      <h2>Dead letters</h2>
      {notice && (
        <p className="summary" data-testid="replay-result">
          {notice}
        </p>
      )}
      <Show loaded={topics} what="dead-letter topics">
        {(rows) =>
          rows.length === 0 ? (
            <Empty>No dead letters: every consumer handled every event.</Empty>
          ) : (
            <table data-testid="dead-letter-topics">
              <thead>
                <tr>
                  <th>topic</th>
                  <th>records</th>
                  <th>consumers</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <tr key={t.topic} className={open?.topic === t.topic ? 'selected' : undefined}>
                    <td>{t.topic}</td>
                    <td className="num">{t.records}</td>
                    <td>{t.consumers}</td>
                    <td>
                      <button onClick={() => setOpen(t)}>Show</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      {open && <TopicLetters key={`${open.topic}-${reload}`} topic={open} canReplay={canReplay} onReplayed={(message) => {
            setNotice(message);
            setReload((n) => n + 1);
          }} />}
    </div>
  );
}

function TopicLetters({ topic, canReplay, onReplayed }: { topic: DeadLetterTopicRow; canReplay: boolean; onReplayed: (message: string) => void }) {
  const { client } = useSession();
  const api = platformApi(topic.service);
  const [pages, setPages] = useState<Record<string, number>>({});
  const [replay, setReplay] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const letters = useLoad(() => client.call(api.deadLetters, { query: { topic: topic.topic } }), [client, topic.topic]);
  const doReplay = async (offsets?: string[]) => {
    setReplay({ busy: true });
    try {
      const r = await client.call(api.replayDeadLetters, { body: { topic: topic.topic, ...(offsets ? { offsets } : {}) } });
      setReplay({ busy: false });
      onReplayed(`replayed ${r.replayed} record(s) of ${topic.topic}.dlq to ${topic.topic}${r.missing.length ? `; not found: ${r.missing.join(', ')}` : ''}`);
    } catch (error) {
      setReplay({ busy: false, error });
    }
  };
  return (
    <div className="panel" data-testid="dead-letter-records">
      <h3>
        {topic.topic} <span className="hint">(through {topic.service})</span>
      </h3>
      {canReplay ? (
        <div className="controls">
          <button disabled={replay.busy} onClick={() => void doReplay()} data-testid="replay-all">
            Replay all to {topic.topic}
          </button>
        </div>
      ) : (
        <p className="hint" data-testid="replay-not-allowed">
          Replaying needs the dead-letters:write permission (an operator or admin role).
        </p>
      )}
      {replay.error !== undefined && <ErrorBox error={replay.error} />}
      <Show loaded={letters} what={`dead letters of ${topic.topic}`}>
        {(list) =>
          list.length === 0 ? (
            <Empty>No records in {topic.topic}.dlq.</Empty>
          ) : (
            <>
              {deadLetterGroups(list).map((g) => {
                const shown = pageOf(g.rows, pages[g.consumerGroup] ?? 0);
                return (
                  <div key={g.consumerGroup}>
                    <h4>
                      consumer group {g.consumerGroup} ({g.rows.length})
                    </h4>
                    <table data-testid={`dead-letters-${g.consumerGroup}`}>
                      <thead>
                        <tr>
                          <th>failed (UTC)</th>
                          <th>code</th>
                          <th>error</th>
                          <th>attempts</th>
                          <th>event id</th>
                          <th>key</th>
                          <th>original record</th>
                          <th>dlq ref</th>
                          <th />
                        </tr>
                      </thead>
                      <tbody>
                        {shown.items.map((r) => (
                          <tr key={r.ref}>
                            <td>{r.failedAt}</td>
                            <td>{r.errorCode}</td>
                            <td className="wrap">{r.error}</td>
                            <td className="num">{r.attempts}</td>
                            <td>{r.eventId}</td>
                            <td>{r.key}</td>
                            <td>{r.original}</td>
                            <td>{r.ref}</td>
                            <td>
                              {canReplay && (
                                <button disabled={replay.busy} onClick={() => void doReplay([r.ref])}>
                                  Replay
                                </button>
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                    <Pager page={shown} onPage={(p) => setPages({ ...pages, [g.consumerGroup]: p })} />
                  </div>
                );
              })}
            </>
          )
        }
      </Show>
    </div>
  );
}
