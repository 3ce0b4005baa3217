import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config.js';
import { appServices } from '../../../src/stack/app-services.js';

const names = (env: Record<string, string>) =>
  appServices(loadConfig({ DATA_DIR: '/tmp/floodgate-unit', ...env }), {}).map((s) => s.name);

describe('The local stack’s services', () => {
  it('runs the urgent lane and the video lane by default', () => {
    assert.deepEqual(names({}), ['smtp-sink', 'provider-sim', 'api', 'worker-urgent', 'worker-video']);
  });

  it('runs the autoscaler in place of the video worker with VIDEO_AUTOSCALE=on', () => {
    assert.deepEqual(names({ VIDEO_AUTOSCALE: 'on' }).slice(3), ['worker-urgent', 'autoscaler']);
  });

  it('runs no video lane with STACK_VIDEO_LANE=off, whatever the autoscaler setting', () => {
    for (const autoscale of ['on', 'off']) {
      assert.deepEqual(names({ STACK_VIDEO_LANE: 'off', VIDEO_AUTOSCALE: autoscale }), [
        'smtp-sink',
        'provider-sim',
        'api',
        'worker-urgent',
      ]);
    }
  });

  it('refuses a STACK_VIDEO_LANE it does not know, naming it', () => {
    assert.throws(() => names({ STACK_VIDEO_LANE: 'no' }), /STACK_VIDEO_LANE/);
  });
});
