/** Options of {@link DatasetsModule.forRoot}. */
export interface DatasetsModuleOptions {
  /** Lake root directory (`STRATA_DATA_DIR`); versions go to `<dataDir>/datasets/<name>/<versionId>/`. */
  readonly dataDir: string;
  /** Staging directory for spooled uploads (default `os.tmpdir()`). */
  readonly tmpDir?: string;
  /** Largest streamed upload in bytes (default 5 GiB; larger → 413). */
  readonly maxUploadBytes?: number;
  /** Log upload progress every this many bytes (default 16 MiB). */
  readonly progressEveryBytes?: number;
}
