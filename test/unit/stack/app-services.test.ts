import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config.js';
import { appServices, childEnv } from '../../../src/stack/app-services.js';

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

  it('hands its API CODEC_TRUST_LOOPBACK=true outside production only, unless set (the local Web UI sends no token)', () => {
    const trust = (env: Record<string, string>) =>
      childEnv(loadConfig({ DATA_DIR: '/tmp/floodgate-unit', ...env }), '127.0.0.1:7233')
        .CODEC_TRUST_LOOPBACK;
    assert.equal(trust({}), 'true');
    assert.equal(trust({ CODEC_TRUST_LOOPBACK: 'false' }), 'false');
    const prod = {
      NODE_ENV: 'production',
      REPLICATE_WEBHOOK_SECRETS: 'whsec_cHJvZA==',
      GENERIC_WEBHOOK_SECRETS: 'prod-generic',
      API_KEYS: 'prod-key',
      PASSWORD_RESET_ID_KEY: 'a-long-production-key',
      PAYLOAD_ENCRYPTION_KEYS: `prod1:${Buffer.alloc(32, 7).toString('base64')}`,
    };
    assert.equal(trust(prod), 'false');
  });

  it('refuses a STACK_VIDEO_LANE it does not know, naming it', () => {
    assert.throws(() => names({ STACK_VIDEO_LANE: 'no' }), /STACK_VIDEO_LANE/);
  });
});
