import { type Command } from 'commander';
import { type CliContext } from './context';
import { registerDatasetCommands } from './datasets';
import { registerFeatureCommands } from './features';
import { registerInitCommand } from './init';
import { registerModelCommands } from './models';
import { registerMonitorCommands } from './monitor';
import { registerServingCommands } from './serving';
import { registerTrainingCommands } from './training';

/** Every lifecycle command of `strata` (init … monitor), on `program`. */
export function registerLifecycleCommands(program: Command, ctx: CliContext): void {
  registerInitCommand(program, ctx);
  registerDatasetCommands(program, ctx);
  registerFeatureCommands(program, ctx);
  registerTrainingCommands(program, ctx);
  registerModelCommands(program, ctx);
  registerServingCommands(program, ctx);
  registerMonitorCommands(program, ctx);
}
