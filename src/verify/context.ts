import type { ValueResolver } from '../analysis/values.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Workspace } from '../project/workspace.js';
import type { GuardRecogniser } from './guard/index.js';

export interface VerifyContext {
  values: ValueResolver;
  config: ResolvedConfig;
  workspace: Workspace;
  specs: GuardRecogniser;
}
