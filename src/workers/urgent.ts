import { runWorkerProcess } from './run-worker-process.js';

/** The urgent lane's worker process: password resets and every mail activity. */
runWorkerProcess('urgent');
