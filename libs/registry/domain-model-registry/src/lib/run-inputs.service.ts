import { Injectable } from '@nestjs/common';
import { TrackingStore, type DatasetInput } from '@strata/registry/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import { TrackingService } from './tracking.service';

/**
 * Dataset inputs of runs (MLflow `runs/log-inputs`): which datasets (name, digest, source,
 * schema, profile) a run used, with their tags (e.g. `mlflow.data.context = train`).
 */
@Injectable()
export class RunInputsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly store: TrackingStore,
    private readonly tracking: TrackingService,
  ) {}

  /**
   * Adds dataset inputs to an active run. A dataset already logged (same name and digest) is not
   * added again, as MLflow does; its tags are kept from the first logging.
   * @throws NotFoundError (404) unknown run; InvalidArgumentError (400) deleted run
   */
  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    await this.database.getDataSource().transaction('READ COMMITTED', async (m) => {
      const run = await this.tracking.lockedActiveRun(m, runId);
      const all = [...run.datasetInputs];
      for (const input of inputs) {
        if (!all.some((x) => x.dataset.name === input.dataset.name && x.dataset.digest === input.dataset.digest)) all.push(input);
      }
      await this.store.setRunInputs(m, runId, all);
    });
  }
}
