import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Koa from 'koa';
import { pino } from 'pino';
import { UnavailableError } from '../../../src/api/errors.js';
import { errorHandler } from '../../../src/api/middleware/error-handler.js';
import { RefusalLog } from '../../../src/api/refusal-log.js';

describe('5xx answers in the log', () => {
  let server: Server;
  let base: string;
  const lines: Array<Record<string, unknown>> = [];
  let clock = 0;

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = pino({ level: 'info' }, sink);
    const app = new Koa();
    // The app's own error handler, with a clock the test moves.
    app.use(errorHandler({ log, refusals: new RefusalLog(log, 1_000, () => clock) }));
    app.use(() => {
      throw new UnavailableError('Temporal unavailable; retry later', 5);
    });
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((r) => server.close(r)));

  it('writes one line a second per code during a flood of 503s, and says how many it left out', async () => {
    const answers = [];
    for (let i = 0; i < 50; i++)
      answers.push((await fetch(`${base}/webhooks/replicate`, { method: 'POST' })).status);
    assert.ok(answers.every((s) => s === 503));
    assert.equal(lines.length, 1, 'one line for the first second');
    clock += 1_000;
    assert.equal((await fetch(`${base}/webhooks/replicate`, { method: 'POST' })).status, 503);
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.code, 'unavailable');
    assert.equal(lines[1]!.alsoAnsweredSinceLastLine, 49);
  });
});
