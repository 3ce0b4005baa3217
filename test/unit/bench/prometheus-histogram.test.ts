import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  bucketsBetween,
  parseHistogram,
  scrapeCounterTotal,
  shareWithin,
} from '../../../bench/prometheus-histogram.js';

const page = (within50: number, total: number, other = 0) =>
  [
    '# HELP service_latency latency',
    `service_latency_bucket{operation="SignalWithStartWorkflowExecution",service_name="frontend",le="0.05"} ${within50}`,
    `service_latency_bucket{operation="SignalWithStartWorkflowExecution",service_name="frontend",le="+Inf"} ${total}`,
    `service_latency_bucket{operation="SignalWithStartWorkflowExecution",service_name="history",le="0.05"} ${other}`,
    `service_latency_bucket{operation="StartWorkflowExecution",service_name="frontend",le="0.05"} ${other}`,
    `service_latency_count{operation="SignalWithStartWorkflowExecution",service_name="frontend"} ${total}`,
  ].join('\n');
const labels = { operation: 'SignalWithStartWorkflowExecution', service_name: 'frontend' };

describe('bench: Prometheus histogram share within a bound', () => {
  it('reads only the series whose labels match and counts the calls between two scrapes', () => {
    const before = parseHistogram(page(10, 10, 999), 'service_latency', labels);
    const after = parseHistogram(page(108, 110, 5_000), 'service_latency', labels);
    const within = shareWithin(bucketsBetween(before, after), 0.05);
    assert.deepEqual(within, { calls: 100, share: 0.98 });
  });

  it('gives no figure when nothing was called or the bound is not a bucket', () => {
    const same = parseHistogram(page(10, 10), 'service_latency', labels);
    assert.equal(shareWithin(bucketsBetween(same, same), 0.05), undefined);
    assert.equal(shareWithin(parseHistogram(page(1, 2), 'service_latency', labels), 0.02), undefined);
  });

  it('sums a counter over its series, or over the series with the given labels only', async () => {
    const text = [
      'service_requests{operation="SignalWithStartWorkflowExecution",service_name="frontend"} 3',
      'service_requests{operation="SignalWithStartWorkflowExecution",service_name="history"} 2',
      'service_requests{operation="StartWorkflowExecution",service_name="frontend"} 7',
      'service_requests_other{operation="SignalWithStartWorkflowExecution"} 100',
    ].join('\n');
    const server = createServer((_req, res) => res.end(text));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    try {
      assert.equal(await scrapeCounterTotal(url, 'service_requests'), 12);
      const signalWithStart = { operation: 'SignalWithStartWorkflowExecution' };
      assert.equal(await scrapeCounterTotal(url, 'service_requests', signalWithStart), 5);
      assert.equal(
        await scrapeCounterTotal(url, 'service_requests', { ...signalWithStart, service_name: 'history' }),
        2,
      );
    } finally {
      server.close();
    }
  });
});
