import type { Endpoint, Verdict } from '../model.js';
import type { VerifyContext } from './context.js';

export function verifyEndpoint(ep: Endpoint, _ctx: VerifyContext): Verdict {
  return { status: ep.classification?.sensitive ? 'missing' : 'not-required', guards: [], findings: [] };
}
