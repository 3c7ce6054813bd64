// Numeric settings a catalogued guard reads from the project's own configuration (better-auth's
// `session.freshAge`): the first constant `key: <number>` property found in the root's sources.
// Files are searched by text first and parsed only when they mention the key; looked up once per key.
import { ts } from 'ts-morph';
import { evalNumber } from '../analysis/numbers.js';
import { propertyNameText, type ValueResolver } from '../analysis/values.js';
import { forEachNode } from '../analysis/walk.js';

export type ProjectSetting = (key: string) => number | undefined;

export function projectSettings(sources: readonly string[], values: ValueResolver): ProjectSetting {
  const found = new Map<string, number | undefined>();
  return (key) => {
    if (found.has(key)) return found.get(key);
    let value: number | undefined;
    for (const f of sources) {
      if (!values.textMatches(f, new RegExp(`\\b${key}\\b`))) continue;
      const sf = values.store.get(f);
      if (!sf) continue;
      forEachNode(sf, (n) => {
        if (value !== undefined) return false;
        if (ts.isPropertyAssignment(n) && propertyNameText(n.name) === key) value = evalNumber(n.initializer, values);
      });
      if (value !== undefined) break;
    }
    found.set(key, value);
    return value;
  };
}
