// Which identifiers the application signs in by. A username is a credential where the password
// sign-in looks the account up by it, and a display handle elsewhere; a phone number is a login or
// recovery channel only where the sign-in looks the account up by it. The application's own code
// decides: a source that checks a password (or configures a password strategy) and looks a record
// up by a key of the identifier's family. Read from the sources' text once per scan; never executed.
import { ts } from 'ts-morph';
import { memo } from '../memo.js';
import { compiled, ruleFile } from '../rules/load.js';
import type { ValueResolver } from '../analysis/values.js';
import { modelName, normalizeName } from '../analysis/effects.js';

interface Compiled {
  passwordCheck: RegExp;
  /** The password checks alone (not the one-time codes). */
  passwordOnly: RegExp;
  /** What a one-time-code sign-in issues. */
  codeIssues?: RegExp;
  lookups: RegExp[];
  anyLookup: RegExp;
  families: [string, RegExp][];
  defaultStrategy: RegExp;
  /** A code or link sent to the account found (an SMS, a mail), in a function named for recovery. */
  recoverySend?: RegExp;
  /** Words that say a function recovers an account (with `recoverySend`: a recovery channel, not a sign-in). */
  recoveryWords?: RegExp;
  /** Imports of an authentication library whose own sign-in may look people up by e-mail. */
  emailLibraries?: RegExp;
  hostedIdentity?: RegExp;
  adapterLibraries?: RegExp;
  /** A handler's answer, a token in it, and records read beside the account (never the one signed in). */
  answers: RegExp;
  tokenAnswer: RegExp;
  notAccounts: RegExp;
}

const rules = compiled<Compiled>(() => {
  const r = ruleFile('assets').signIn;
  return {
    // a password checked, or a one-time code issued: either is how the looked-up account signs in
    passwordCheck: new RegExp(r.codeCheck ? `${r.passwordCheck}|${r.codeCheck}` : r.passwordCheck),
    passwordOnly: new RegExp(r.passwordCheck),
    codeIssues: r.codeSignInIssues ? new RegExp(r.codeSignInIssues) : undefined,
    lookups: r.lookups.map((l) => new RegExp(l, 'gi')),
    anyLookup: new RegExp(r.anyLookup),
    families: Object.entries(r.families).map(([name, re]) => [name, new RegExp(re, 'i')]),
    defaultStrategy: new RegExp(r.defaultStrategy),
    recoverySend: r.recoverySend ? new RegExp(r.recoverySend) : undefined,
    recoveryWords: r.recoveryWords ? new RegExp(r.recoveryWords, 'i') : undefined,
    emailLibraries: r.emailLibraries ? new RegExp(r.emailLibraries) : undefined,
    hostedIdentity: r.hostedIdentity ? new RegExp(r.hostedIdentity) : undefined,
    adapterLibraries: r.adapterLibraries ? new RegExp(r.adapterLibraries) : undefined,
    answers: new RegExp(r.answers),
    tokenAnswer: new RegExp(r.tokenAnswer, 'i'),
    notAccounts: new RegExp(r.notAccounts),
  };
});

/** The identifier family a key belongs to (`phone_number` → phone), if any. */
export function identifierFamily(key: string): string | undefined {
  const k = key.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return rules().families.find(([, re]) => re.test(k))?.[0];
}

/** An e-mail address named in code (`email`, `user.email`, `'email'`, `email_address`). */
const EMAIL_MENTION = /\b\w*e_?mail(_?address)?\b/i;

/** Per family, the records the sign-in looks up by it; `undefined` where a lookup names no record (any may sign in). */
type Families = Map<string, Set<string> | undefined>;

const FAMILIES = memo('classify.signInFamilies', () => ({
  found: undefined as Families | undefined,
  /** Every record a function checking a password looks up by an identifier, whatever other lookups leave unnamed. */
  named: new Set<string>(),
  /** A hosted identity provider imported, and a library keeping users in the application's database. */
  hosted: false,
  adapter: false,
  /** A password checked or a recovery code sent by the application's own code, anywhere. */
  own: false,
}));

/** What names the record a lookup reads: a SQL `FROM`, a client's model (`prisma.admin.find…`), a model class (`Admin.findOne`). */
const RECORD_NAMES = [
  /\bFROM\s+[`"]?(\w+)/gi,
  /\b(?:prisma|db|tx|client)\.(\w+)\.find\w*/g,
  /\b([A-Z]\w*)\s*\.find\w*/g,
  // a model's handle named for it (`tripLeaderModel.findOne`, `userRepository.findOneBy`), the call perhaps on its own line
  /\b([a-z]\w*?)(?:Model|Schema|Entity|Repository|Repo|Collection)\s*\.find\w*/g,
  // a helper named for the record it finds (`findAdminByUsername(db, username)`, `getCustomerByEmail(email)`)
  /\b(?:find|get|fetch|load)(?!(?:One|First|Unique|Many|All)By)([A-Z][a-z]\w*?)By[A-Z]\w*\s*\(/g,
];

/**
 * The record a lookup reads, where the statement holding it says so (`SELECT … FROM admins WHERE
 * username = ?`, `prisma.admin.findUnique({ where: { username } })`, `Admin.findOne({ username })`);
 * undefined when nothing does (a helper, a query built elsewhere): then any record may sign in.
 */
function lookedUpRecord(text: string, at: number, length: number): string | undefined {
  const start = Math.max(0, at - 160);
  const window = text.slice(start, at + length);
  let best: { index: number; name: string } | undefined;
  for (const re of RECORD_NAMES) {
    re.lastIndex = 0;
    for (const m of window.matchAll(re)) {
      // in the same statement as the lookup
      if (m.index > at - start || /;/.test(window.slice(m.index, at - start))) continue;
      if (!best || m.index > best.index) best = { index: m.index, name: m[1] };
    }
  }
  return best?.name;
}

/** The local a lookup's answer is kept in, in the statement that holds it (`const attendee = await Attendee.findOne(…)`). */
function assignedName(region: string, at: number): string | undefined {
  const before = region.slice(Math.max(0, at - 160), at);
  const stmt = before.slice(Math.max(before.lastIndexOf(';'), before.lastIndexOf('{'), before.lastIndexOf('}')) + 1);
  return /(?:\b(?:const|let|var)\s+)?([A-Za-z_$][\w$]*)\s*=\s*(?:await\s+)?[^=]*$/.exec(stmt)?.[1];
}

/** A record's name as written anywhere (`UserModel`, `tbl_users`, `admin_users`), bare: `user`, `adminuser`. */
function bare(name: string): string {
  return modelName(normalizeName(name).replace(/^tbl/, '')).replace(/s$/, '');
}

/** Identifier families the scanned sources sign in by, each with the records looked up (computed once per scan). */
function families(values: ValueResolver): Families {
  const slot = values.session.get(FAMILIES);
  if (slot.found) return slot.found;
  const found: Families = new Map();
  const add = (family: string, record: string | undefined): void => {
    if (found.has(family) && found.get(family) === undefined) return;
    if (record === undefined) found.set(family, undefined);
    else found.set(family, new Set([...(found.get(family) ?? []), bare(record)]));
  };
  const r = rules();
  const store = values.store;
  for (const file of [...store.known].sort()) {
    const text = store.text(file, false);
    if (!text) continue;
    // an authentication library's own sign-in (an e-mailed link, a provider) looks people up where the scan cannot see
    if (r.emailLibraries?.test(text)) add('email', undefined);
    if (r.hostedIdentity?.test(text)) slot.hosted = true;
    if (r.adapterLibraries?.test(text)) slot.adapter = true;
    const signIn = r.passwordCheck.test(text);
    const recovery = !!r.recoverySend?.test(text) && !!r.recoveryWords?.test(text);
    if (!signIn && !recovery) continue;
    slot.own = true;
    if (signIn && r.defaultStrategy.test(text) && !/usernameField\s*:/.test(text)) add('username', undefined);
    // the records each function that checks a password looks up by an identifier (not a code store a recovery
    // reads by e-mail, nor a whole file kept because some check stands in a function that looks nothing up)
    // (a request handler answering with no session or token signs no one in: a password that unlocks a board or a
    // document; a helper that returns the account to its caller may; and not a store of codes, attempts or tokens
    // the same function looks up by the same e-mail)
    if (signIn)
      for (const [start, end] of signInRegions(store.get(file), text, r.passwordOnly, false)) {
        const region = text.slice(start, end);
        if (r.answers.test(region) && !(r.codeIssues?.test(region) ?? true) && !r.tokenAnswer.test(region)) continue;
        // (where the function reads a stored secret of what one lookup answered, `bcrypt.compare(pw, user.password)`,
        // a record another lookup answered without that, `Attendee.findOne({ email })` linking a ticket, is no account)
        const found: { record: string; holder?: string }[] = [];
        for (const re of r.lookups) {
          re.lastIndex = 0;
          for (const m of region.matchAll(re)) {
            const record = identifierFamily(m[1]) && lookedUpRecord(text, start + (m.index ?? 0), m[0].length);
            if (record && !r.notAccounts.test(bare(record)))
              found.push({ record, holder: assignedName(region, m.index ?? 0) });
          }
        }
        const secretOf = (v: string): boolean =>
          new RegExp(`\\b${v.replace(/\$/g, '\\$')}\\??\\.(\\w*(pass|pwd|hash|pin|secret|digest)\\w*)`, 'i').test(
            region,
          );
        const anySecretRead = found.some((f) => !!f.holder && secretOf(f.holder));
        for (const f of found) if (!anySecretRead || !f.holder || secretOf(f.holder)) slot.named.add(bare(f.record));
      }
    const regions = [
      ...(signIn ? signInRegions(store.get(file), text, r.passwordCheck) : []),
      // recovery: the function that looks the account up to text or mail it a recovery code
      ...(recovery && r.recoverySend ? signInRegions(store.get(file), text, r.recoverySend, false) : []),
    ];
    for (const [start, end] of regions) {
      const region = text.slice(start, end);
      const recovers = !!r.recoverySend?.test(region) && !!r.recoveryWords?.test(region);
      // a one-time code with no password check signs in only where the function hands out a session
      if (!recovers && !r.passwordOnly.test(region) && !(r.codeIssues?.test(region) ?? false)) continue;
      const records = new Set<string | undefined>();
      for (const re of r.lookups) {
        re.lastIndex = 0;
        for (const m of region.matchAll(re)) {
          const family = identifierFamily(m[1]);
          const record = lookedUpRecord(text, start + (m.index ?? 0), m[0].length);
          records.add(record);
          if (family) add(family, record);
        }
      }
      // an e-mail address anywhere in a sign-in or recovery function (`$or: [{ username }, { email }]`, a reset mailed
      // to `user.email`): e-mail is how the records it looks up sign in or recover (any record, when it names none)
      // (in a function: a whole file kept for a check outside any says nothing about who is looked up by what)
      if ((start > 0 || end < text.length) && EMAIL_MENTION.test(region)) {
        if (!records.size) records.add(undefined);
        for (const record of records) add('email', record);
      }
    }
  }
  slot.found = found;
  return found;
}

/**
 * The stretches of a file that sign in: for each password check, the nearest function around it
 * that looks a record up (a `.then` callback holding only the comparison is not it, the handler
 * around it is). A check outside any function, or in a file that does not parse, keeps the whole text.
 */
function signInRegions(
  sf: ts.SourceFile | undefined,
  text: string,
  marker: RegExp,
  /** A marker outside any function keeps the whole text (a password strategy named at the top), or nothing. */
  wholeOutside = true,
): [number, number][] {
  const whole: [number, number][] = wholeOutside ? [[0, text.length]] : [];
  if (!sf || sf.text !== text) return whole;
  const r = rules();
  const check = new RegExp(marker.source, 'g');
  const regions = new Map<number, number>();
  for (const m of text.matchAll(check)) {
    const at = m.index ?? 0;
    let region: [number, number] | undefined;
    for (const fn of functionsAround(sf, at)) {
      const start = fn.getStart(sf);
      if (r.anyLookup.test(text.slice(start, fn.end))) {
        region = [start, fn.end];
        break;
      }
    }
    if (!region) {
      if (wholeOutside) return whole;
      continue;
    }
    regions.set(region[0], Math.max(regions.get(region[0]) ?? 0, region[1]));
  }
  return regions.size ? [...regions] : whole;
}

/** Functions holding a position, innermost first. */
function functionsAround(sf: ts.SourceFile, at: number): ts.Node[] {
  const out: ts.Node[] = [];
  let node: ts.Node = sf;
  for (;;) {
    const inner: ts.Node | undefined = node.forEachChild((c) => (c.pos <= at && at < c.end ? c : undefined));
    if (!inner) break;
    if (ts.isFunctionLike(inner)) out.push(inner);
    node = inner;
  }
  return out.reverse();
}

/**
 * Does the application sign in by this family of identifier on this record? A username written on
 * a `users` table is no credential where only the `admins` table is looked up by username at sign-in.
 */
export function signsInBy(values: ValueResolver, family: string, model: string): boolean {
  const f = families(values);
  if (!f.has(family)) return false;
  const records = f.get(family);
  // names compared bare: a handle's word is not the record's name (`UserModel` looked up, `user` written)
  return !records || !model || records.has(bare(model));
}

/**
 * Does the application's sign-in look this record up by an identifier of another family, and never by
 * `family`? (`admins` signing in by username: their e-mail is contact data.)
 */
export function signsInOnlyByOther(values: ValueResolver, family: string, model: string): boolean {
  if (!model) return false;
  const f = families(values);
  const b = bare(model);
  const own = f.get(family);
  if (f.has(family) && (own === undefined || own.has(b))) return false;
  for (const [other, records] of f) if (other !== family && records?.has(b)) return true;
  return false;
}

/**
 * Is the application's whole sign-in visible, every record it looks up known? A sign-in through a helper
 * or a library whose record cannot be named (an unknown record in any family) makes it not.
 */
export function signInRecordsKnown(values: ValueResolver): boolean {
  const f = families(values);
  if (!f.size) return false;
  for (const records of f.values()) if (!records?.size) return false;
  return true;
}

/** Does the application's sign-in look this record up by one of its identifiers (`customers` by e-mail)? */
export function signsInOn(values: ValueResolver, model: string): boolean {
  const b = bare(model);
  // (a record named by one lookup signs in, whatever another lookup, through a helper, leaves unnamed)
  families(values);
  return values.session.get(FAMILIES).named.has(b);
}

/**
 * Does the application sign in only through a hosted identity provider (Supabase Auth, Clerk, Firebase
 * Auth…), which keeps the sign-in in its own user store: no library keeping users in the application's
 * database, and no sign-in of its own looking any of its records up?
 */
export function signsInThroughProvider(values: ValueResolver): boolean {
  const f = families(values);
  const slot = values.session.get(FAMILIES);
  return slot.hosted && !slot.adapter && !slot.own && [...f.values()].every((records) => records === undefined);
}
