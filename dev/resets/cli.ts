import { join } from 'node:path';
import { watchMailFolder } from '../../bench/mail-folder-watch.js';
import { probeResets, requestResetOverHttp, type ProbeCounters } from '../../bench/reset-probe.js';
import { loadConfig } from '../../src/config.js';
import { exitOnFailure } from '../../src/exit-on-failure.js';
import { summarize } from '../provider/latency-recorder.js';
import { ArgsError } from '../storm/args.js';
import { createProgressLine } from '../storm/progress-line.js';
import { parseResetArgs, USAGE } from './args.js';

/** `npm run resets`: the urgent lane as a user sees it; exit 1 if any reset was refused or never mailed. */
async function main(): Promise<number> {
  const config = loadConfig();
  const args = parseResetArgs(process.argv.slice(2), {
    perSecond: 5,
    durationMs: 60_000,
    apiUrl: `http://127.0.0.1:${config.api.port}`,
    apiKey: config.api.apiKeys[0]!,
    mailDir: join(config.dataDir, 'mail'),
    deliveryTimeoutMs: 120_000,
  });
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  await requireApi(args.apiUrl);
  process.stderr.write(
    `resets: ${args.perSecond}/s for ${args.durationMs / 1000}s to ${args.apiUrl}, mail watched in ${args.mailDir}\n`,
  );
  const mail = watchMailFolder(args.mailDir);
  const progress = createProgressLine(process.stderr, 5);
  const counters: ProbeCounters = { sent: 0, delivered: 0, lost: 0, slowestMs: 0 };
  const ticker = setInterval(
    () =>
      progress.update(
        `resets: sent ${counters.sent}, mailed ${counters.delivered}, lost ${counters.lost}, slowest ${counters.slowestMs} ms`,
      ),
    1_000,
  );
  let result;
  try {
    result = await probeResets({
      request: requestResetOverHttp(args.apiUrl, args.apiKey),
      waitForMail: (email, timeoutMs) => mail.waitFor(email, timeoutMs),
      perSecond: args.perSecond,
      durationMs: args.durationMs,
      deliveryTimeoutMs: args.deliveryTimeoutMs,
      counters,
    });
  } finally {
    clearInterval(ticker);
    progress.done();
    mail.close();
  }
  const s = summarize(result.latenciesMs);
  process.stdout.write(
    `\nresets summary\n` +
      `  mailed       ${s.count} of ${counters.sent}\n` +
      `  refused      ${result.rejected} (the API did not answer 202)\n` +
      `  not mailed   ${result.undelivered} (no mail within ${args.deliveryTimeoutMs / 1000} s)\n` +
      `  latency      request → mail in the sink's folder: p50 ${s.p50} ms · p95 ${s.p95} ms · p99 ${s.p99} ms · max ${s.max} ms\n`,
  );
  return result.rejected + result.undelivered === 0 ? 0 : 1;
}

/** A clear error instead of every reset counted as refused when nothing listens there. */
async function requireApi(apiUrl: string): Promise<void> {
  try {
    await (await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(5_000) })).arrayBuffer();
  } catch (err) {
    throw new ArgsError(
      `no Floodgate API answers at ${apiUrl} (${(err as Error).message}); start the stack with \`npm start\` or pass --api`,
    );
  }
}

// Exit 2: the run could not be made (bad arguments, no stack); 1 is kept for "something was lost".
main().then((code) => process.exit(code), exitOnFailure('resets', { code: 2, plain: [ArgsError] }));
