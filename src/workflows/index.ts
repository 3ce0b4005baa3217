// The workflow bundle's entry: every workflow type a worker can run, as named exports.
export {};
export { passwordReset } from './password-reset.js';
export { videoJob } from './video-job.js';
