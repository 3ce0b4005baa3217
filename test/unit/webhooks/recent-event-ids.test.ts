import assert from 'node:assert/strict';
import { RecentEventIds } from '../../../src/api/webhooks/recent-event-ids.js';

describe('recently acknowledged event ids', () => {
  it('keeps exactly its capacity, forgetting the least recently added first', () => {
    const ids = new RecentEventIds(2);
    ids.add('a');
    ids.add('b');
    assert.deepEqual([ids.has('a'), ids.has('b')], [true, true], 'full, nothing forgotten yet');
    ids.add('a'); // seen again: now the most recent
    ids.add('c');
    assert.deepEqual([ids.has('a'), ids.has('b'), ids.has('c')], [true, false, true]);
  });
});
