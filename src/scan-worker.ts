// The audit thread's entry (see scan-thread.ts): runs one audit and posts the plain result back.
import { parentPort, workerData } from 'node:worker_threads';
import { audit, type AuditOptions } from './audit.js';
import { plainAudit, userErrorKind, type ThreadMessage } from './scan-thread.js';

const port = parentPort!;
const post = (m: ThreadMessage): void => port.postMessage(m);

try {
  const result = await audit({
    ...(workerData as AuditOptions),
    onProgress: (phase, done, total) => post({ type: 'progress', phase, done, total }),
  });
  post({ type: 'done', result: plainAudit(result) });
} catch (err) {
  post({
    type: 'error',
    message: err instanceof Error ? err.message : String(err),
    stack: err instanceof Error ? err.stack : undefined,
    kind: userErrorKind(err),
  });
}
