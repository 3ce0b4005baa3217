import assert from 'node:assert/strict';
import { bucketsBetween, parseHistogram, shareWithin } from '../../../bench/prometheus-histogram.js';

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
});
