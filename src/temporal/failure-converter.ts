import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Moves every failure's message and stack trace into an encoded payload (Temporal's
 * `encodeCommonAttributes`), so the payload codec encrypts them like any input or result:
 * history then shows "Encoded failure" where an error might have quoted an address or a token.
 * Loaded by path (DataConverter.failureConverterPath) in workers, clients and workflow bundles.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
