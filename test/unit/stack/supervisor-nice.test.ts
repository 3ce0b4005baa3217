import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { Supervisor } from '../../../src/stack/supervisor.js';

describe('Supervisor niceness', () => {
  const supervisor = new Supervisor({ restart: false, print: () => undefined, onFatal: () => undefined });
  after(() => supervisor.stopAll(2_000));

  it('runs a service with `nice` at that niceness and leaves the others at the parent’s', function () {
    const base = getPriority();
    // An unprivileged process can only raise niceness: the check needs a parent below 7.
    if (base >= 7) this.skip();
    const background = supervisor.start({ name: 'background', command: 'sleep', args: ['30'], nice: 7 });
    const foreground = supervisor.start({ name: 'foreground', command: 'sleep', args: ['30'] });
    assert.equal(getPriority(background.pid!), 7);
    assert.equal(getPriority(foreground.pid!), base);
  });
});
