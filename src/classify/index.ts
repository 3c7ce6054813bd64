import type { ResolvedConfig } from '../config/types.js';
import type { AdapterContext } from '../frameworks/types.js';
import type { Classification, Endpoint } from '../model.js';

export function classifyEndpoint(_ep: Endpoint, _ctx: AdapterContext, _config: ResolvedConfig): Classification {
  return { sensitive: false, categories: [], reasons: [], considered: [] };
}
