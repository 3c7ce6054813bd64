// Which identifiers the application signs in by. A username is a credential where the password
// sign-in looks the account up by it, and a display handle elsewhere; a phone number is a login or
// recovery channel only where the sign-in looks the account up by it. The application's own code
// decides: a source that checks a password (or configures a password strategy) and looks a record
// up by a key of the identifier's family. Read from the sources' text once per scan; never executed.
import { memo } from '../memo.js';
import { compiled, ruleFile } from '../rules/load.js';
import type { ValueResolver } from '../analysis/values.js';

interface Compiled {
  passwordCheck: RegExp;
  lookups: RegExp[];
  families: [string, RegExp][];
  defaultStrategy: RegExp;
}

const rules = compiled<Compiled>(() => {
  const r = ruleFile('assets').signIn;
  return {
    passwordCheck: new RegExp(r.passwordCheck),
    lookups: r.lookups.map((l) => new RegExp(l, 'gi')),
    families: Object.entries(r.families).map(([name, re]) => [name, new RegExp(re, 'i')]),
    defaultStrategy: new RegExp(r.defaultStrategy),
  };
});

/** The identifier family a key belongs to (`phone_number` → phone), if any. */
export function identifierFamily(key: string): string | undefined {
  const k = key.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return rules().families.find(([, re]) => re.test(k))?.[0];
}

const FAMILIES = memo('classify.signInFamilies', () => ({ found: undefined as Set<string> | undefined }));

/** Identifier families the scanned sources sign in by (computed on first use, once per scan). */
export function signInFamilies(values: ValueResolver): ReadonlySet<string> {
  const slot = values.session.get(FAMILIES);
  if (slot.found) return slot.found;
  const found = new Set<string>();
  const r = rules();
  const store = values.store;
  for (const file of [...store.known].sort()) {
    const text = store.text(file, false);
    if (!text || !r.passwordCheck.test(text)) continue;
    if (r.defaultStrategy.test(text) && !/usernameField\s*:/.test(text)) found.add('username');
    for (const re of r.lookups) {
      re.lastIndex = 0;
      for (const m of text.matchAll(re)) {
        const family = identifierFamily(m[1]);
        if (family) found.add(family);
      }
    }
  }
  slot.found = found;
  return found;
}
