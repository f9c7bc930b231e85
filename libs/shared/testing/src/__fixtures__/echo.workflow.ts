import { proxyActivities } from '@temporalio/workflow';

export interface EchoActivities {
  shout(text: string): Promise<string>;
}

const { shout } = proxyActivities<EchoActivities>({ startToCloseTimeout: '30 seconds' });

/** Test workflow: calls one activity and returns its result with the workflow's input. */
export async function echoWorkflow(text: string): Promise<string> {
  const loud = await shout(text);
  return `${text} -> ${loud}`;
}
