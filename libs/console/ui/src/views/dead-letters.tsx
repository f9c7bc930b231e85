import { useState } from 'react';
import { platformApi } from '@strata/contracts/api';
import { ConsoleApiError } from '../api/console-client';
import { Endpoints } from '../api/console-endpoints';
import { deadLetterGroups, deadLetterTopicRows, mayReplayDeadLetters, type DeadLetterRow, type DeadLetterTopicRow } from '../mapping/platform-admin';
import { DataTable, type Column } from '../components/data-table';
import { pageOf } from '../mapping/paging';
import { Pager } from '../components/pager';
import { Empty, ErrorBox, Show } from '../components/states';
import { useLoad } from '../components/use-load';
import { useEndpoint } from '../components/use-endpoint';
import { useSession } from '../components/session';

/** A dead-letter topic: its records and the services consuming the original topic (then a Show button). */
const TOPIC_COLUMNS: ReadonlyArray<Column<DeadLetterTopicRow>> = [
  { header: 'topic', cell: (t) => t.topic },
  { header: 'records', cell: (t) => t.records, className: 'num' },
  { header: 'consumers', cell: (t) => t.consumers },
];

/** A dead letter: when and why its consumer gave up, the original record and the ref Replay sends (then a Replay button). */
const LETTER_COLUMNS: ReadonlyArray<Column<DeadLetterRow>> = [
  { header: 'failed (UTC)', cell: (r) => r.failedAt },
  { header: 'code', cell: (r) => r.errorCode },
  { header: 'error', cell: (r) => r.error, className: 'wrap' },
  { header: 'attempts', cell: (r) => r.attempts, className: 'num' },
  { header: 'event id', cell: (r) => r.eventId },
  { header: 'key', cell: (r) => r.key },
  { header: 'original record', cell: (r) => r.original },
  { header: 'dlq ref', cell: (r) => r.ref },
];

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
            <DataTable
              testId="dead-letter-topics"
              columns={[...TOPIC_COLUMNS, { cell: (t) => <button onClick={() => setOpen(t)}>Show</button> }]}
              rows={rows}
              rowKey={(t) => t.topic}
              rowClassName={(t) => (open?.topic === t.topic ? 'selected' : undefined)}
            />
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
  const letters = useEndpoint(api.deadLetters, { query: { topic: topic.topic } });
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
                    <DataTable
                      testId={`dead-letters-${g.consumerGroup}`}
                      columns={[
                        ...LETTER_COLUMNS,
                        {
                          cell: (r) =>
                            canReplay && (
                              <button disabled={replay.busy} onClick={() => void doReplay([r.ref])}>
                                Replay
                              </button>
                            ),
                        },
                      ]}
                      rows={shown.items}
                      rowKey={(r) => r.ref}
                    />
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
