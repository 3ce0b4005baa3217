import type { ProfileStartOptions, RunningStack, StackProfile } from './profiles/stack-profile.js';

/**
 * Starts one fresh stack of `profile`, runs `body` on it and stops it, whatever happened. If the
 * stack dies on its own while `body` runs, that failure is what rejects.
 */
export async function withStack<T>(
  profile: StackProfile,
  opts: ProfileStartOptions,
  body: (stack: RunningStack) => Promise<T>,
): Promise<T> {
  const stack = await profile.start(opts);
  try {
    return await Promise.race([stack.failure, body(stack)]);
  } finally {
    opts.log(`${profile.name}: stopping the stack…`);
    await stack.stop();
  }
}
