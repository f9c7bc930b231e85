/**
 * Dead-letter CLI.
 *
 *   node -r @swc-node/register tools/messaging/dead-letters.ts list <topic> [--limit N] [--json] [--brokers host:port,...]
 *   node -r @swc-node/register tools/messaging/dead-letters.ts replay <topic> [offset|partition:offset ...] [--brokers ...]
 *
 * <topic> is the original topic or its `.dlq`. Brokers default to $KAFKA_BROKERS, then 127.0.0.1:9092.
 * `replay` without offsets replays every record of the dead-letter topic. Exit codes: 0 ok,
 * 1 error, 2 usage.
 */
import { createKafka, DeadLetterService, stderrLogger } from '@strata/messaging';

function usage(): never {
  process.stderr.write(
    'usage: dead-letters.ts list <topic> [--limit N] [--json] [--brokers b1,b2]\n' +
      '       dead-letters.ts replay <topic> [offset|partition:offset ...] [--brokers b1,b2]\n',
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    if (v === undefined) usage();
    return v;
  };
  const brokers = flag('--brokers') ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const limit = flag('--limit');
  const jsonIdx = args.indexOf('--json');
  const json = jsonIdx >= 0;
  if (json) args.splice(jsonIdx, 1);
  const [command, topic, ...offsets] = args;
  if (!command || !topic || !['list', 'replay'].includes(command)) usage();

  const service = new DeadLetterService({ kafka: createKafka({ brokers, clientId: 'strata-dead-letters-cli', logger: stderrLogger }) });
  if (command === 'list') {
    const letters = await service.list(topic, limit ? Number(limit) : 1000);
    if (json) {
      process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${letters.length} dead letter(s) in ${topic.endsWith('.dlq') ? topic : `${topic}.dlq`}\n`);
    for (const l of letters) {
      process.stdout.write(
        `${l.partition}:${l.offset}  ce_id=${l.eventId ?? '-'}  key=${l.key ?? '-'}  from=${l.originalTopic}[${l.originalPartition ?? '?'}]@${l.originalOffset ?? '?'}  ` +
          `attempts=${l.attempts ?? '?'}  code=${l.errorCode ?? '-'}  at=${l.failedAt ?? '-'}\n    ${l.error ?? ''}\n`,
      );
    }
    return;
  }
  const result = await service.replay(topic, offsets.length > 0 ? offsets : undefined);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.missing.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`dead-letters: ${(err as Error).message}\n`);
  process.exit(1);
});
