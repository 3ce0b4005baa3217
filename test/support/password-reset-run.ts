import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle, WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import nodemailer, { type Transporter } from 'nodemailer';
import {
  startSmtpSink,
  type ReceivedMail,
  type SmtpSink,
  type SmtpSinkOptions,
} from '../../dev/smtp-sink/smtp-sink.js';
import { createEmailActivities } from '../../src/activities/email.js';
import {
  requestResetSignal,
  resetStatusQuery,
  type PasswordResetInput,
} from '../../src/shared/password-reset.js';
import type { passwordReset } from '../../src/workflows/password-reset.js';
import { projectWorkflowBundle } from './workflow-bundle.js';

/** An SMTP sink on a port the OS picks as it binds, and a transport that mails into it. */
export interface ResetMail {
  sink: SmtpSink;
  transport: Transporter;
  stop(): Promise<void>;
}

export async function startResetMail(sinkOptions: Omit<SmtpSinkOptions, 'port'> = {}): Promise<ResetMail> {
  // Port 0: no server starting beside the sink can take its port first.
  const sink = await startSmtpSink({ ...sinkOptions, port: 0 });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false });
  return {
    sink,
    transport,
    async stop() {
      transport.close();
      await sink.stop();
    },
  };
}

export interface ResetRun {
  /** One reset request for the run's user (signalWithStart, as the API sends it). */
  request: () => Promise<WorkflowHandleWithSignaledRunId<typeof passwordReset>>;
  /** The mails the sink holds for the run's user. */
  mails: () => ReceivedMail[];
  workflowId: string;
  email: string;
}

/** The token in a reset mail's link. */
export const tokenOf = (mail: ReceivedMail): string =>
  /[?&]token=([\w-]+)/.exec(mail.text)?.[1] ?? assert.fail('no token in mail');

/**
 * Waits (at most ~5 s) until the run has taken the mail's answer, the token's hash: the mail can
 * land in the sink before that. Fails if it never does.
 */
export async function untilTokenIssued(handle: WorkflowHandle<typeof passwordReset>): Promise<void> {
  let issued = false;
  for (let i = 0; i < 100 && !issued; i++) {
    issued = (await handle.query(resetStatusQuery)).tokenIssued;
    if (!issued) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(issued, 'the status query never said a token was issued');
}

/**
 * Runs `body` with a worker on a fresh queue and a reset run for a fresh user started with
 * `input`, mailing into `mail`'s sink. The run is terminated afterwards if still open.
 */
export async function withResetRun(
  env: TestWorkflowEnvironment,
  mail: ResetMail,
  input: PasswordResetInput,
  body: (run: ResetRun) => Promise<void>,
): Promise<void> {
  const taskQueue = `pwreset-${randomUUID()}`;
  const email = `${randomUUID()}@example.test`;
  const workflowId = `pwreset-test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await projectWorkflowBundle(),
    activities: createEmailActivities({
      transport: mail.transport,
      from: 'Floodgate <no-reply@floodgate.local>',
      resetUrlBase: 'http://localhost:3000/reset',
    }),
  });
  const request = () =>
    env.client.workflow.signalWithStart<typeof passwordReset, [{ userId: string; email: string }]>(
      'passwordReset',
      {
        workflowId,
        taskQueue,
        args: [input],
        signal: requestResetSignal,
        signalArgs: [{ userId: 'user-1', email }],
      },
    );
  const mails = () => mail.sink.messages().filter((m) => m.to.includes(email));
  try {
    await worker.runUntil(body({ request, mails, workflowId, email }));
  } finally {
    // A run left open (a failed assertion) would hold a time-skipping server's clock at its next
    // timer, and every later sleep in the file would wait for a worker that has gone.
    await env.client.workflow
      .getHandle(workflowId)
      .terminate('test over')
      .catch(() => undefined);
  }
}
