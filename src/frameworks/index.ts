// The framework adapters, in extraction order. Adding a framework is one folder and one line here.
import { createExpressAdapter } from './express/index.js';
import { createHonoAdapter } from './hono/index.js';
import { createServerActionsAdapter } from './next/actions.js';
import { createNextAdapter } from './next/index.js';
import { createTrpcAdapter } from './trpc/index.js';
import type { FrameworkAdapter } from './types.js';

/** Fresh adapters for one scanned root (an adapter may keep what it planned). Hosts that publish mounts come first. */
export function createAdapters(): FrameworkAdapter[] {
  return [
    createNextAdapter(),
    createServerActionsAdapter(),
    createTrpcAdapter(),
    createExpressAdapter(),
    createHonoAdapter(),
  ];
}
