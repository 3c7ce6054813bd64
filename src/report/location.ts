// Repository-relative locations for SARIF and GitHub annotations: relative to the folder the
// report says its paths are rooted at (the git top level when the scan is inside a repository).
import { relPosix } from '../paths.js';

export function repoRelative(repoRoot: string, file: string): string {
  return relPosix(repoRoot, file);
}
