import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
// CommonJS package: a default import works under plain ESM as well as tsx.
import proto from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../shared/search-attributes.js';
import { StartupError } from '../startup-error.js';
import type { TemporalConnectionOptions } from '../temporal/connection-options.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;
const INDEXED_TYPES: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const RETENTION = '72h';

export interface NamespaceOutcome {
  namespaceCreated: boolean;
  attributesAdded: string[];
}

/**
 * Resolves once the frontend answers gRPC (the server may still be joining its ring). These
 * calls reach the server the cluster profile itself runs, with the client certificate it made
 * (the same connection options as Floodgate's own processes).
 */
export async function waitForTemporal(server: TemporalConnectionOptions, deadline: number): Promise<void> {
  const { address } = server;
  for (;;) {
    try {
      const connection = await Connection.connect({ ...server, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        throw new StartupError(
          `the Temporal server did not answer on ${address} in time (${(err as Error).message}); ` +
            'see its lines above, fix that and start again',
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Registers the namespace and Floodgate's search attributes when missing; a second run finds
 * both and changes nothing. A new namespace reaches the server's namespace cache after about
 * 10 s, and adding search attributes fails until then: that step retries until `deadline`.
 */
export async function ensureNamespace(
  server: TemporalConnectionOptions,
  namespace: string,
  deadline: number,
  attributes: ReadonlyArray<(typeof CUSTOM_SEARCH_ATTRIBUTES)[number]> = CUSTOM_SEARCH_ATTRIBUTES,
): Promise<NamespaceOutcome> {
  const connection = await Connection.connect(server);
  try {
    let namespaceCreated = false;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== NOT_FOUND) throw err;
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(RETENTION),
        });
        namespaceCreated = true;
      } catch (err) {
        if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
      }
    }
    for (;;) {
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = attributes.filter(({ name }) => !(name in (customAttributes ?? {})));
        if (missing.length === 0) return { namespaceCreated, attributesAdded: [] };
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, INDEXED_TYPES[type]!])),
        });
        return { namespaceCreated, attributesAdded: missing.map(({ name }) => name) };
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`search attributes not registered: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  } finally {
    await connection.close();
  }
}
