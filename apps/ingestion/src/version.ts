/** Version of the ingestion service's code. */
export const SERVICE_VERSION = '0.1.0';
