import { type Command } from 'commander';
import { type CliContext } from './context';
import { registerDatasetCommands } from './datasets';
import { registerFeatureCommands } from './features';
import { registerInitCommand } from './init';
import { registerModelCommands } from './models';
import { registerModelOptimizeCommand } from './models-optimize';
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
  registerModelOptimizeCommand(program.commands.find((c) => c.name() === 'models')!, ctx); // issue 15
  registerServingCommands(program, ctx);
  registerMonitorCommands(program, ctx);
}
