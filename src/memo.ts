// Keys for the caches a ScanSession owns. A key is a module-level constant holding only a name
// and a factory; the cache itself is created per session (`session.get(KEY)`), and the factory
// may build it from the session (its configuration, its compiled rules).
import type { ScanSession } from './session.js';

export interface Memo<T> {
  readonly name: string;
  readonly create: (session: ScanSession) => T;
}

export function memo<T>(name: string, create: (session: ScanSession) => T): Memo<T> {
  return Object.freeze({ name, create });
}
