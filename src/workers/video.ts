import { runWorkerProcess } from './run-worker-process.js';

/** The video lane's worker process: video jobs, provider calls and downloads. */
runWorkerProcess('video');
