import assert from 'node:assert/strict';
import { devServerArgs } from '../../../src/temporal/dev-server.js';

const dynamicConfig = (args: string[]) =>
  args.flatMap((arg, i) => (args[i - 1] === '--dynamic-config-value' ? [arg] : []));

describe('dev server arguments', () => {
  it("runs with Floodgate's dynamic config, eager activity dispatch included", () => {
    assert.ok(
      dynamicConfig(devServerArgs({ port: 7233 })).includes('system.enableActivityEagerExecution=true'),
    );
  });

  it('lets an extra --dynamic-config-value replace the same key instead of adding a second value', () => {
    const values = dynamicConfig(
      devServerArgs({
        port: 7233,
        extraArgs: ['--dynamic-config-value', 'system.enableActivityEagerExecution=false'],
      }),
    );
    assert.deepEqual(
      values.filter((v) => v.startsWith('system.enableActivityEagerExecution=')),
      ['system.enableActivityEagerExecution=false'],
    );
    assert.ok(values.includes('matching.enableFairness=true'), 'the other keys stay');
  });
});
