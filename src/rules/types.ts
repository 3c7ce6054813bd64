// The shapes of the rule files in `rules/`. Each is checked against its JSON Schema
// (`rules/schema/<name>.schema.json`) when it is loaded, so these types hold at run time.

export interface ModuleExport {
  module: string;
  path: string;
}


export interface ProcedureBuilder {
  roots: ModuleExport[];
  /** Step name → its kind (middleware, input, stage, concat, meta, terminal), or the name of another builder the chain becomes. */
  steps: Record<string, string>;
  /** The option of a middleware's argument that continues the request (`next`). */
  continuation?: string;
  /** The option of the handler's argument that holds the parsed input. */
  inputOption?: string;
  parentArgument?: number;
  /** Methods that compose two middleware into one (`a.unstable_pipe(b)`: `a`, then `b`). */
  middlewarePipes?: string[];
}

export interface FrameworkRules {
  routerPackages: string[];
  /** What a dotenv value must look like to be taken as a route prefix (src/project/env-files.ts). */
  envPathValue: string;
  /** A segment of such a value that looks random (a secret): the value is not taken. */
  envSecretSegment: string;
  /** A dotenv value that reads as a template's placeholder: not taken. */
  envPlaceholder: string;
  /** Package name → the settings file of the application a bare import of it reads (node-config: `config/default`). */
  settingsModules?: Record<string, string>;
  /** Method routers a pages-router file builds and exports (src/frameworks/next/next-connect.ts). */
  pagesRouters?: { module: string; makers: string[]; exportMethods: string[] }[];
  /** Web frameworks named when a scanned folder yields no endpoint: package name → display name. */
  /** Environment reads true only under a test runner: a condition on one takes its production branch. */
  deployment: { testVariables: string[]; environmentNames: string; nonProduction: string[]; production: string[] };
  webFrameworks: { supported: Record<string, string>; known: Record<string, string> };
  /** Keys of a wrapper's options object that hold the request handler (`apiRoute({ handler })`). */
  /** The method a handler given as a class runs (`handle`). */
  endpointClassMethods?: string[];
  wrappedHandlerKeys: string[];
  mountAdapters: { framework: string; adapters: ModuleExport[]; appOption?: string; serves?: 'openapi' }[];
  procedureBuilders: {
    configurationCalls: string[];
    /** The option of a handler's argument holding the request's context (`ctx`). */
    contextOption?: string;
    builders: Record<string, ProcedureBuilder>;
  };
  trpc: {
    routers: ModuleExport[];
    mergers: ModuleExport[];
    lazy: ModuleExport[];
    builder: string;
    procedureTypes: Record<string, 'GET' | 'POST'>;
    routerOption: string;
    /** The adapter option whose function builds each procedure's `ctx`. */
    contextOption: string;
    serverMounts: (ModuleExport & {
      /** `file`: served at the path of the file it is exported from (Nuxt `server/api/trpc/[trpc].ts` → `/api/trpc`). */
      prefix: 'use' | 'root' | 'register' | 'file';
      endpointOption?: string;
      /** The prefix the adapter strips when it is given no `endpointOption` (`trpcServer`: `/trpc`); the
       * prefix when no `use` registration of the adapter is found. */
      endpointDefault?: string;
      /** For a registered plugin: the option that holds the adapter's own options (the router). */
      optionsOption?: string;
      serves?: 'openapi';
    })[];
    /** tRPC v9 routers built by a chain of steps on a root (`trpc.router<Ctx>().query(name, { resolve })`). */
    chainedRouters?: {
      roots: ModuleExport[];
      mergeStep: string;
      middlewareStep: string;
      handlerOption: string;
      inputOption: string;
    };
    defaultPrefix: string;
    openApiMeta: string;
  };
  serverActions: { directive: string; structuralSegments: string[]; containerParameters?: string[] };
  /** Dependency-injection containers: the lookup methods that, given a class, return its instance. */
  dependencyInjection: { lookupMethods: string[]; testDoubleNames?: string; testDoublePaths?: string };
  express: {
    creators: ModuleExport[];
    appCreators: ModuleExport[];
    routeMethods: string[];
    methodAliases?: Record<string, string>;
    routerWrappers?: ModuleExport[];
    /** Calls whose result holds the app they are given under a property (`expressWs(app).app`). */
    appHolders?: (ModuleExport & { property: string })[];
    /** Method name → the fewest arguments with which it returns its receiver (`app.set(name, value)`). */
    chainMethods?: Record<string, number>;
    importHints: string[];
  };
  decoratorRouting: DecoratorRouting[];
  hono: {
    routerWrappers?: ModuleExport[];
    creators: ModuleExport[];
    routeMethods: string[];
    createRoute: ModuleExport[];
    createHandlers: string[];
    chainMethods: string[];
    importHints: string[];
    context: {
      responses: string[];
      requestReads: string[];
      holderTypes?: string;
      holderMembers?: string[];
      holderNames?: string[];
    };
    fileRoutes?: HonoFileRoutes;
  };
}

/** File-system routes of a Hono meta-framework (HonoX): see `$comment_fileRoutes` in rules/frameworks.json. */
export interface HonoFileRoutes {
  package: string;
  serverModule: string;
  routesDir: string;
  extensions: string[];
  ignoredPrefixes: string[];
  middlewareFile: string;
  createRoute: ModuleExport[];
  apps: ModuleExport[];
  appOption: string;
}

/** Express routes declared by decorators on controller classes, for one library. */
export interface DecoratorRouting {
  module: string;
  controllers: string[];
  routes: Record<string, string>;
  middleware?: string[];
  children?: string[];
  middlewareAfterPath?: boolean;
  braceParams?: boolean;
  serverOptions?: { call: string; argument: number; option: string }[];
  /** Files of a routes generator's configuration beside the application's package.json (regex on the name). */
  configFiles?: string;
}

export interface EffectRules {
  keyValue?: {
    modules: string[];
    writeMethods: string[];
    deleteMethods?: string[];
    fileModules?: string[];
    fileWriteMethods?: string[];
  };
  /** Package functions that build a write command: collection first, data last (`createItem('posts', data)`). */
  commandWrites?: { modules: string[]; create: string[]; update: string[]; delete: string[]; usersCollection: string };
  orm: {
    modelRegistries?: string[];
    /** Calls defining a model named by their first argument (`sequelize.define('users', …)`, `mongoose.model('User', …)`). */
    modelDefinitions?: string[];
    /** Sub-document containers named for sign-in security: every path written in them counts, not only literals. */
    securitySubDocuments?: string;
    /** Entity query-builder chains (TypeORM `createQueryBuilder().update(User).set(…)`). */
    queryBuilder?: { starts: string; verbs: string; entityCalls: string[] };
    /** Associations whose Sequelize mixins (`setRoles`, `addRole`) are writes. */
    associationMixins?: string[];
    delegateRoots: string;
    delegateMethods: string[];
    /** Package wrappers that run the function they are given on every call (`asyncHandler`, `traced`). */
    callWrappers?: { names: string; modules: string; notModules: string };
    /** MongoDB driver write methods on a collection reached from a database client root (`db.customers.updateOne`). */
    collectionMethods?: string[];
    staticMethods: string[];
    instanceMethods: string[];
    instanceUpdates: string[];
    writeOptionKeys?: string[];
    /** Body filters: calls named for letting listed fields through, and the option keys holding the list. */
    allowLists?: { calls: string; listKeys: string };
    /** A key-value settings table: the key naming a row's setting, the key holding its value, bookkeeping beside them. */
    settingRows?: { nameKeys: string[]; valueKeys: string[]; bookkeeping: string[] };
    listItemContainers?: Record<string, '$add' | '$remove'>;
    listItemCalls?: Record<string, '$add' | '$remove'>;
    tupleFinders?: string;
    /** Finders answering a list of records: an element taken by its place is a record the call loaded. */
    listFinders?: string;
    repoRoots: string;
    repoMethods: string[];
    builderRoots: string;
    /** Client methods whose callback's first parameter is the client inside a transaction (`db.transaction(async (trx) => …)`). */
    transactionMethods?: string[];
    /** Packages whose clients, whatever the variable is called, write through builder chains. */
    builderModules?: string[];
    /** Project functions handing out a connection or client: their own writes (a first-call seed) are set-up, not the caller's. */
    connectionGetters?: string;
    builderWrites: string[];
    builderTableCalls: string[];
    /** Calls that define a table object from its database name (`pgTable('users', …)`). */
    tableDefinitions?: string;
    /** A suffix of a normalised model name that is not the record's (`usermodel`). */
    modelNameSuffix?: string;
    firestoreWrites: string[];
    /** A document store's modular write functions (`updateDoc(doc(db, 'users', id), data)`). */
    documentWrites?: { modules: string[]; writes: Record<string, 'create' | 'update' | 'set' | 'delete'>; refs: string[] };
    /** Clients whose write methods take the collection as an argument (Appwrite `createDocument(db, collection, id, data)`). */
    collectionArgWrites?: {
      modules: string[];
      methods: Record<string, { action: string; collection: number; data?: number }>;
      idEndings: string;
    };
    /** A hand-written wrapper's writes taking the table's name first (`db.updateOne('wallets', data, where)`). */
    tableArgWrites?: {
      receivers: string;
      tableName: string;
      methods: Record<string, { action: string; collection: number; data?: number }>;
    };
    updateActions: string;
    deleteActions: string;
  };
  sql: {
    write: string;
    /** Database functions called by name (`rpc`) and the shared folders holding their definitions. */
    storedFunctions?: { callMethods: string[]; sharedFolders: string[] };
  };
  payments: { roots: string; modules: string[]; verbs: string[]; moveMethods?: string; contractMoves?: string };
  http: {
    fetchFunctions: string[];
    clientRoots: string;
    clientWrites: string[];
    /** Clients called with one request object naming its method (`axios({ method, url, data })`). */
    configCalls?: string;
    /** The keys of such an object that hold the request's payload. */
    configBody?: string[];
    /** Packages whose export, or a client one of its functions made (`axios.create()`), sends requests. */
    clientModules?: string[];
  };
  /** `nested`: keys whose object value's own keys are written too (a provider's user metadata). */
  identity: {
    calls: {
      pattern: string;
      category: string;
      keys?: string[];
      keyPattern?: string;
      metadata?: boolean;
      /** Counts only on a client made by one of these packages (the receiver's root, or the file importing one). */
      modules?: string[];
    }[];
    nested?: string;
  };
  mint: {
    calls: string[];
    identifierTargets: string;
    /** Header setters and the identifier headers a minted value may be put in (`X-Request-Id`). */
    identifierHeaders?: { setters: string; names: string };
    writeMethods?: string;
    /** Calls a hand-rolled generator picks characters with (`Math.random`). */
    randomSources?: string[];
  };
  bookkeepingKeys: { keys: string[] };
  stepUpMachinery: {
    models: string;
    spentCodeKeys?: string;
    /** A recovery code kept as a row, marked spent: the rows' model and the keys of the spent mark. */
    spentCodeRows?: { models: string; keys: string };
    /** Keys of a failed check counted or a lock set (`failedPasswordAttempts`, `lockedUntil`) on any record. */
    attemptKeys?: string;
  };
  lookAheadWrites: { pattern: string };
  /** Methods of a parameter whose call makes a helper worth following with its caller's arguments bound. */
  throughParamsWrites: string;
  registrationCalls: { pattern: string };
}

export type GuardFailure = 'throws' | 'returns-response' | 'returns-falsy' | 'returns-error' | 'returns-object' | 'returns-null' | 'middleware';

export interface CatalogEntry {
  id: string;
  doc?: string;
  match: { method?: string; argKey?: string; callee?: string; modules?: string[]; argText?: string; receiverFrom?: string[] };
  fails: GuardFailure;
  field?: string;
  successWhen?: 'truthy' | 'falsy';
  async: boolean;
  kind: 'guard' | 'verifier';
  /** The factor a verifier checks: a one-time code proves a factor only when it existed before the request. */
  factor?: 'password' | 'otp' | 'webauthn';
  windowFromArg?: { argKey: string; presets: Record<string, number>; objectKey: string };
  windowArg?: { argKey: string; unit: 'seconds' | 'minutes' | 'ms' };
  requiresArgText?: string;
  /**
   * Where a verifier's operands are: the secret typed for this request and the stored secret it is
   * compared with (`0` the first argument, `0.token` its `token` key, `receiver.secret` the `secret`
   * its receiver was constructed with). No `stored`: the library looks the stored secret up itself.
   */
  operands?: { typed: string[]; stored?: string[] };
  predicateArg?: number;
  level?: string;
  freshAgeFromConfig?: boolean;
  /** A project configuration key whose constant value the guard reads (`freshAge`). */
  configKey?: string;
  baseLevelNote?: string;
}

export interface GuardRules {
  vocabulary: {
    guardNames: string;
    guardNameExclusions: string;
    authTimeProps: string;
    sessionTimeOwners: string;
    weakTimeProps: string;
    refreshedTimeProps: string;
    levelProps: string;
    genericLevelProps: string;
    flagProps: string;
    strongLevels: string[];
    baseLevels: string[];
    timeSources: string[];
    nowNames: string;
    middlewareNextParams: string;
    stepUpKeys: string;
    /** Helper names that check or redeem a code (`useRecoveryCode`). */
    codeCheckers?: string;
    factorEnabledFlags: string;
    /** Flags that only say the account has a factor: a switch-on only beside a factor secret written with them. */
    factorSummaryFlags?: string;
    /** Columns that hold a one-time-code factor's secret (`twoFactorSecret`). */
    factorSecretColumns?: string;
    factorRecords: string;
    accountRecords: string;
    qualifiedPersonRecords?: string;
    /** Records of an operation (`withdrawal`, `transfer`): a factor-named flag set on one records a check made for it. */
    checkRecords?: string;
    factorRecordFlags: string;
  };
  clientSources: { roots: string; calls: string[]; decoders: string[] };
  responses: { senders: string[]; constructors: string[]; factories: string[]; errorHelpers: string; continueCalls: string[]; throwingCalls: ModuleExport[] };
  catalog: CatalogEntry[];
  operands: {
    secretInputs: string;
    failureCounters: string;
    computingGlobals: string[];
    computingModules: string;
    configNames: string;
    configHolders: string;
    schemaParsers: string;
    /** Calls that validate a request's input: a refusal of a missing value where they run. */
    inputValidators: string;
    /** Names of calls that refuse a missing value (tested without case). */
    requireNames: string;
    /** A schema key the validator may leave out. */
    optionalSchemaKeys: string;
    bearerHeaders: string;
    cookieNames: string;
    requestObjects: string;
    bodyReaders: string[];
    storedSecrets: string;
    enrolmentWords: string;
    sessionWords: string;
    /** Calls answering the signed-in session or user as the server holds it (`getServerSession`). */
    sessionGetters?: string;
    derivations: string;
    verifierNames: string;
    tokenVerifiers?: string;
    otpSecrets: string;
    factorSecrets: string;
    secretParams: string;
    /** Calls that answer, log or serialise a value rather than store it. */
    notStores: string;
    foreignRecords: string;
    recordLookups: string;
    listLookups?: string;
    recordWrites: string;
    anyWrites: string;
    bearerHeaderWords: string;
    credentialVerifiers: string;
    credentialModules: string[];
    replacementWords: string;
    /** Words naming the secret the account already has (`old`, `current`). */
    currentWords?: string;
  };
  results: { successFields: string; failureFields: string; errorFields: string };
  stepUpRecordProof: {
    pattern: string;
    readMethods: string;
    /** Stores named for re-authentication itself, read by any reading method (`proofStoreReads`). */
    proofStores?: string;
    proofStoreReads?: string;
    /** Reads of the request's own data (body, query, parameters, headers). */
    requestData?: string;
    /** A record found by the code presented alone: its filter's code keys and state keys (normalised, lower case). */
    unboundKeys?: { codeKeys: string; stateKeys: string };
  };
}

export interface RuleMeta {
  id: string;
  name: string;
  level: 'error' | 'warning' | 'note';
  precision: 'very-high' | 'high' | 'medium' | 'low';
  securitySeverity: string;
  shortDescription: string;
  fullDescription: string;
  /** How to fix it, said once per rule in reports. */
  fix: string;
}

export interface FindingRules {
  informationUri: string;
  tags: string[];
  severityByCategory: Record<string, string>;
  severityByLevel: Record<'high' | 'medium' | 'low', string>;
  rules: RuleMeta[];
}

export interface RawCategory {
  severity: 'high' | 'medium' | 'low';
  description: string;
  harm: string;
  strongSegments?: string[];
  weakSegments?: string[];
  getSegments?: string[];
  contextSegments?: string[];
  strongFields?: string[];
  fields?: string[];
  fieldCombos?: string[][];
  fieldSuffixes?: string[];
  proofFields?: string[];
  models?: string[];
  weakModels?: string[];
  /** Last words of written keys that tie a record to the category on a path a decisive word names (`transactionAmount`). */
  recordKeys?: string[];
  weakModelActions?: string;
  paymentResources?: string[];
  strongPaymentResources?: string[];
  credentialDataKeys?: string[];
  roleDataKeys?: string[];
  roleModels?: string[];
  deleteModels?: string[];
  deleteMethods?: string[];
  ownershipVerbs?: string[];
  methods?: string[];
  fieldsCorroborateOnCreate?: boolean;
  notDemoted?: boolean;
  /** Strong words that decide only on an administrator's path; elsewhere weak. */
  strongOnAdminPaths?: string[];
  aggregateSegments?: string[];
  /** Visible writes, none on the category's records, overrule its words (an export writes nothing). */
  unrelatedWritesOverrule?: boolean;
  contextWithWrite?: boolean;
  weakPathsNeedEvidence?: boolean;
  namedWrites?: boolean;
  mintCorroborates?: boolean;
  /** Words that also name a package's handle (`client`): they do not tie a package call to the category. */
  handleWords?: string[];
}

export interface MachineCredentialRules {
  signatureHeaders: string;
  credentialNames: string;
  secretEnvNames: string;
  compareCalls: string;
  staticCredentialMiddleware: string;
  /** What the request's signed-in user is read as (`req.user`, `c.get('user')`). */
  signedInUser: string;
  /** A shared secret or header named for an administrator: the key a person holds, not a service's. */
  personalSecretNames: string;
  /** A platform's own secret its service sends (`HASURA_GRAPHQL_ADMIN_SECRET`): a service's, named for admin or not. */
  serviceSecretNames?: string;
  /** A body field holding a signature the provider computed (`sign`): compared with one computed over a server secret. */
  bodySignatureNames?: string;
}

export interface ExclusionRules {
  entrySegments: string[];
  /** Entry segments naming the session itself: an entry point only as the path's last static segment. */
  entryNouns?: string[];
  /** Entry segments naming the renewal of a sign-in by its refresh token (`refresh-token`). */
  renewalSegments?: string[];
  /** What says a middleware or handler reads a refresh token (case-insensitive). */
  renewalReads?: string;
  resetSegments: string[];
  resetWords: string[];
  resetCredentialWords: string[];
  resetTokenFields: string[];
  secretStateWords?: string[];
  resetTokenModels?: string[];
  resetMailCalls?: string;
  tokenRedemption: { lookupMethods: string; tokenKeys: string };
  signInFlow: {
    lookupMethods: string;
    identifierArgs: string;
    sessionCalls: string;
    /** A database's session (a transaction), not a sign-in. */
    transactionSessions?: string;
    sessionWrites: string;
    /** Members of the request's session that say who is signed in (`user`, `userId`). */
    sessionUserKeys?: string;
    sessionRecords?: string;
    proofCalls?: string;
    sessionIdentifierArgs?: string;
    /** An authentication library's own sign-in (`signIn('credentials', …)` from NextAuth): the handler is a sign-in. */
    libraryModules?: string;
    libraryCalls?: string;
  };
  /** How a handler shows it serves a signed-in session (a credential set without one is a sign-up or a recovery step). */
  sessionless?: {
    sessionReads: string;
    sessionCalleeText: string;
    authLinkNames: string;
    lookupArgs: string;
    sessionText?: string;
    currentSecretNames?: string;
    plumbingModules?: string;
    /** Middleware names of request plumbing the project wrote itself (`csrfToken`): they serve no session, whatever word they share with authentication. */
    plumbingLinkNames?: string;
    /** The last word of a middleware's name that says it is plumbing (`loginLimiter`): such a link reads no session. */
    plumbingLinkTails?: string;
    /** Callee text of a one-time code checked against a factor's secret (`speakeasy.totp.verify`): no session read. */
    factorChecks?: string;
  };
  /** An OAuth authorization code exchanged at a token endpoint (`grant_type: 'authorization_code'`). */
  /** Normalised keys a new account's password hash is written under (a sign-up by effect). */
  signUpPasswordKeys?: string[];
  /** Normalised record names taken as the sign-in's where it names none. */
  signUpModels?: string[];
  codeExchange?: { grantKeys: string; grantValue: string; calls?: string; linkCalls?: string; linkKeys?: string };
  resetRequestFields: string[];
  resetTokenNamePattern: string;
  /** A verification key named for resets: a token it checks is a reset link's. */
  resetTokenKeyPattern?: string;
  /** Calls that check a signed token (`jwt.verify`, jose's `jwtVerify`). */
  tokenVerifiers?: string[];
  /** Calls that sign a token (`jwt.sign`): with a reset key, issuing a reset link. */
  tokenSigners?: string[];
  catchAllHandlerModules: string[];
  catchAllCalls: string[];
  authHandlerMethods: string[];
  webhookVerifiers: string[];
  signatureChecks: string[];
  webhookConstructors: string[];
  webhookSegments: string[];
  /** A column holding a token e-mailed to the account (reset, confirmation, magic link). */
  emailedTokenColumnPattern: string;
  /** A provider's callback by its path: POST to `webhook/<provider>` (literal segments only, none a management word). */
  webhookReceiver: { segments: string[]; notWords: string[] };
  entryPatterns: string[];
  invitationPatterns: string[];
  selfRemovalPatterns?: string[];
  alwaysExcludedSegments: string[];
  entryWordTerms: string[];
  changeVerbs: string[];
  machineCredential: MachineCredentialRules;
}

export interface CategoryRules {
  categories: Record<string, RawCategory>;
  informational: { words: string[] };
  /** Path words that name what a removal takes away harmlessly (a payee, a card), per category. */
  removals?: { verbs: string[]; notHarm: Record<string, string[]>; endVerbs?: Record<string, string[]> };
  exclusions: ExclusionRules;
  mutatingMethods: string[];
  effectLookahead: { stopWords: string[] };
  /** The first word of an action or procedure named for a read (`fetchRoles`). */
  readNameVerbs?: string;
  /** A path named for checking a secret: the verb, and the words of what it checks. */
  checkNames?: { verbs: string; checked: string };
  namedWriteVerbs: string;
  unseenWriteVerbs: string;
  /** Endings of write-named calls that build a value instead (`createQueryBuilder`). */
  factoryNames?: string;
}

export interface AssetRule {
  id: string;
  category: string;
  does: string;
  kinds?: ('db-write' | 'sql-write' | 'payment' | 'identity' | 'http' | 'mint')[];
  ops?: ('create' | 'update' | 'delete')[];
  models?: string[];
  modelMatch?: 'exact' | 'affix';
  /** Tails that, after an affix-matched word, still name the asset (`payoutRequest`), not a record about it. */
  ownTails?: string[];
  modelOptional?: boolean;
  /** A record found by one of these keys (a pattern over normalised names) compared with a presented value is a one-time code spent, not the asset changed. */
  spentByKeys?: string;
  /** A create by an endpoint that serves no signed-in session does not count (a sign-up's first sign-in method). */
  notCreatedSessionless?: boolean;
  /** With `withColumns`: a model matched by name only, lacking them, does not count where another model declares them. */
  linksKeptByMarker?: boolean;
  /** A write by an endpoint that serves no signed-in session does not count (a sign-up confirmed by its e-mailed code). */
  notSessionless?: boolean;
  /** Any record the application signs people in on counts as one of the rule's models. */
  signInModels?: boolean;
  /** Records named only where the application keeps members of them (`ProjectMember`): a tenant, not content. */
  tenantModels?: string[];
  /** Records that are a person's account where the application signs in only through a hosted identity provider (`profiles`). */
  hostedAccountModels?: string[];
  /** Records of people kept for the application's users (customers, member rows): counted only where no account record is declared or they sign in themselves. */
  ownedPeopleModels?: string[];
  /** ownedPeopleModels count only where their own schema declares a sign-in column. */
  ownedPeopleSignIn?: boolean;
  /** Counts only when an owner id key written is a body field (the request names the account). */
  /** A key counts when it ends with one of the keys (`tokens_delta` for `delta`). */
  keyEndings?: boolean;
  /** Keys of this asset by their composition (a factor's word and a secret's word), on normalised keys. */
  keyPattern?: string;
  targetFromRequest?: boolean;
  /** Records the rule never applies to (normalised model name). */
  notModels?: string;
  /** A write does not count when the endpoint creates a record of one of these models beside it (a stake with its bet). */
  notBesideCreates?: string;
  /** Records of another system's connection: the rule skips them unless a one-way hash is written. */
  systemModels?: string;
  modelPattern?: string;
  keys?: string[];
  alsoKeys?: string[];
  notKeys?: string;
  debitKeys?: string[];
  /** An update writing only these keys (a soft delete, an on/off flag) is not this asset's harm. */
  notWhenOnlyKeys?: string[];
  /** A write keyed by a shared record's key (`where: { orgId }`) and no person's is an organisation's setting. */
  notWhenKeyedBy?: string;
  /** An update that writes every matched key empty (null, false, '') removes the asset: it does not count. */
  notWhenCleared?: boolean;
  /** A record created with every matched key written off (null, false, '') keeps the default: no change. */
  notWhenCreatedOff?: boolean;
  /** Counts only when an update writes every matched key empty (a key column cleared: the key revoked). */
  onlyWhenCleared?: boolean;
  /** Keys raised by an amount (a balance credit) that count: listed, or named by balanceWords. */
  creditKeys?: string[];
  /** Records that are a balance themselves (beside those whose last word is a balanceWord): their ledgerKeys are the balance. */
  ledgerModels?: string[];
  /** Amount keys of a record that is itself a balance (`balance.amount`). */
  ledgerKeys?: string[];
  /** Last words of a key that, on a record that is itself a balance, hold what an administrator grants (`tokenCredits`). */
  ledgerTails?: string[];
  /** Records of a person whose plain amount keys (`heldAmountKeys`), moved by an amount, are their balance. */
  heldAmountModels?: string;
  heldAmountKeys?: string[];
  /** Currency units a ledger record's amount keys may carry as a word (`availableKobo`, `balance_cents`). */
  ledgerUnits?: string[];
  /** Last words of a key that name a balance whatever its prefix (`btcBal`, `usdt_balance`): debits and credits of them count. */
  balanceWords?: string[];
  /** Last words only: a key ending on one holds a balance (`referral_wallet`), one with it elsewhere does not (`wallet.totalWithdraw`). */
  balanceTails?: string[];
  /** Holders whose value moves between two of them: a key taken from one record and given to another of the same model by the same amount is debited, whatever it is called. */
  pairedMoveModels?: string;
  /** A debit whose amount the caller keeps in another record of theirs: whose a new record is, and keys naming someone or somewhere else. */
  ownHolding?: {
    ownerKeys: string;
    otherPartyKeys: string;
    notDestinations: string;
    holdings: string;
    holdingReferences: string;
  };
  /** Normalised keys never taken for a value moved between two holders. */
  pairedMoveNotKeys?: string;
  /** Columns that say where another system is: a value kept unhashed on a record declaring one, naming no person, that the visible sign-in never looks up, is another system's credential. */
  plainOffAccounts?: string[];
  /** Normalised model names ending on a balance word that keep no money. */
  notHolderModels?: string;
  notLedgerModels?: string;
  /** Last words of a key on a balance record that count what left it (`offchainSpent`): raised by an amount, the balance is debited. */
  spentTallies?: string[];
  /** Parts of a balance that hold an amount back for the holder: debited to one of these by the same amount, it is held, not moved. */
  holdKeys?: string[];
  /** Normalised keys that only point at other records or say when: a write whose keys are all known and all match stores nothing the rule guards. */
  onlyReferences?: string;
  /** Counts only when the request names the account written (a path parameter or body field in targetNames, or an `:id` under targetSegments). */
  /** actionSegments: verbs that may stand between a segment and its `:id` (`/wallets/credit/:id`). */
  targetNamed?: { names: string[]; segments: string[]; actionSegments?: string[]; idPattern?: string };
  keyValues?: Record<string, string>;
  /** keyValues keys that count also when written with a value from the request (a terminal status the caller picks). */
  chosenValues?: string[];
  /** A record of any name whose schema declares one of these columns is this rule's (a provider link named `Account`). */
  withColumns?: string[];
  /** As withColumns, each group's columns all declared (`provider_type` beside `provider_user_id`). */
  withColumnGroups?: string[][];
  /** A record of any name written with every key of one of these groups is this rule's (`publicKey` with `counter`: a WebAuthn credential). */
  shapeKeys?: string[][];
  /** A record of any name counts when nothing but the rule's keys is written (beside `ownerBesideKeys`). */
  ownerOnlyAnyModel?: boolean;
  ownerBesideKeys?: string;
  /** A record whose schema declares one of these columns is not this rule's (an OAuth provider link named `Account`). */
  notColumns?: string[];
  /** When the record's columns are declared, one must name a user of the application (a pattern over normalised column names). */
  personColumns?: string;
  /** The records (normalised names) personColumns is checked on; all of the rule's when absent. */
  personColumnsModels?: string;
  /** Records (`models`) that, declaring `<owner>Id` while an `owners` model is declared too, are a person's belongings, not the account. */
  ownedBy?: { models: string[]; owners: string[] };
  /** Keys that count only written whole, never as the end of a longer name (`enabled`, not `autoTopupEnabled`). */
  wholeKeys?: string[];
  /** A prefix naming the record itself (`account`, `isUser`): a whole key after it is still the record's own (`accountActive`). */
  wholeKeyOwners?: string;
  /** Keys that do not count when the request supplies them by name (the caller edits the record's setting). */
  requestEdits?: string[];
  /** Records (normalised) on which a key matched only by keyPattern counts. */
  keyPatternModels?: string;
  /** A row whose own type constant says it is a lasting key (`type: 'pat'` on a sessions table) is this rule's, whatever its record. */
  keyConstants?: Record<string, string>;
  /** A generic record whose type key (matching this pattern) holds a constant naming one of `models` is that record (`Transaction` with `type: 'withdrawal'`). */
  typedModelKeys?: string;
  /** Direction words a type constant may carry beside the record's name (`transfer-out`). */
  typedModelTails?: string[];
  /** The records (normalised names) a type constant may name so: ledgers. */
  typedModels?: string;
  /** The rule does not apply when a constant matching the value pattern is written under a key matching the name pattern. */
  notConstants?: Record<string, string>;
  /** Keys that count only when the application signs in by them (a username, a phone). */
  signInKeys?: string[];
  /** Keys counted unless the application signs in on the record by another identifier and never by theirs. */
  contactUnlessSignIn?: string[];
  ignoreWhenOnly?: boolean;
  withMint?: boolean;
  /** Callees (regex on the call's text) that send a minted value away by message: a value handed to one is a one-time link, not a key. */
  mailedBy?: string;
  /** Keys holding the secret of a key record: created from a body field of that name with nothing minted, the record stores a key the user supplied. */
  suppliedKeys?: string;
  /** The records suppliedKeys applies to (keys for calling another system): a signing secret the application trusts is not among them. */
  suppliedModels?: string;
  /** Group words: a record whose declared columns hold `<word>Id` of another group is nested in it (a team of a workspace), not the organisation. */
  nestedIn?: string[];
  /** A bulk delete of these records beside the delete of one record of another model (the group they belong to) does not count. */
  notWithContainer?: boolean;
  /** Not counted beside a create or a delete of a record of another model (that record's access set up or cleared). */
  notBesideRecordLife?: boolean;
  /** Only a membership whose record declares a role (or is itself a role or permission row) counts, when its declaration is found. */
  withRoleOnly?: boolean;
  /** Not counted where the application signs in only through a hosted identity provider (a copy of the identifier). */
  notOnHostedIdentity?: boolean;
  /** A write of any of these keys is not this asset. */
  notWithKeys?: string[];
  /** A record declaring or written with a column matching this (normalised) holds value itself: not this asset. */
  notHolding?: string;
  /** With notHolding: the records (normalised model name) it applies to. */
  notHoldingModels?: string;
  roleWrite?: boolean;
  /** The record is this rule's when the endpoint's last path parameter is one of these (`:memberId`). */
  namedByParam?: string[];
  /** With namedByParam: the segment before that parameter must be one of these (`/team/:memberId`, not `/assignees/:memberId`). */
  namedByParamUnder?: string[];
  /** A record of any name that ties a person to a group: written with one key of each list. */
  membershipShape?: { person: string[]; group: string[]; groupPattern?: string; namedBy: string[]; under: string[] };
  /** With flags only written (`hasAnEvent: true`), the write counts only when one of these is among them. */
  decidingFlags?: string[];
  /** Keys written by adding or removing one list item are not this asset (an owner added to a list replaces nobody). */
  notListItems?: boolean;
  /** Keys written by removing one list item (`$pull`, `arrayRemove`) do not match. */
  /** On a record of `models` that belongs to one of `owners`, these keys are its kind, not a role. */
  ownedKinds?: { models: string[]; owners: string[]; keys: string[] };
  /** Keys that are a balance only where an amount moves them (`user.wallet += reward`), not where they are set outright. */
  movedKeys?: string[];
  notListRemovals?: boolean;
  /** Keys whose every written value the server made (a generator's result, a constant) do not match: nobody chose them. */
  notWhenServerMade?: boolean;
  /** Identifier keys whose every written value is the same identifier read off a record the server holds do not match. */
  notWhenCopied?: boolean;
  /** The request names the account also by picking the record written (`findOneAndUpdate({ _id: req.params.id })`), as for money rules. */
  targetByRecord?: boolean;
  /** Keys that are a place's code (a postal pin code) on a record declaring or writing one of `placeColumns`. */
  placeKeys?: string[];
  placeColumns?: string[];
  /** Keys of this asset written by adding or removing one list item count on a record of any model. */
  /** Keys that, written by adding or removing one list item, match on a record of any model (lists named for a role). */
  listItemsAnyModel?: string[];
  /** With roleWrite: an ordinary role counts too (a member added to a group with any role). */
  ordinaryGrants?: boolean;
  calls?: string;
  /** Outgoing requests: the path of the URL asked for (`kinds: ["http"]`). */
  urlPath?: string;
  argKeys?: string[];
  argKeysAlso?: string[];
}

export interface RevealRules {
  secretNames: string;
  notSecretNames: string;
  notReceivers: string;
  derivations: string;
  /** Receivers whose fields are not stored secrets (a CSRF or invitation record); notSecretNames when absent. */
  notSecretReceivers?: string;
  /** Calls whose result is their argument made readable (`decrypt(row.secret_key)`): what they are given is answered. */
  passThrough?: string;
  /** Package calls whose result carries a stored secret (an SSO connection with its client secret). */
  secretReadCalls?: string;
  envSecrets: string;
  responseMethods: string;
  followDepth: number;
  /** Columns of a whole answered record that count as a stored secret. */
  recordSecretNames?: string;
  /** ORM reads whose result is whole records of the model they are called on. */
  recordReads?: string;
  /** Query-builder methods that hand on the records the query reads (`.lean()`, `.populate()`). */
  queryChain?: string;
  /** ORM writes whose result is the whole record written (only signing secrets count there). */
  recordWrites?: string;
  /** Secret columns whose record's deletion revokes the secret. */
  revokedWithRecord?: string;
  /** Records that are an issued key themselves (by their name's end): a key's hash is revoked with them. */
  revokedKeyHolders?: string;
  /** Records whose token is not a credential of the account (a share link, a push token). */
  publicTokenHolders?: string;
  /** Environment variable names the framework ships to the browser (`NEXT_PUBLIC_`). */
  publicEnv?: string;
}

export interface ExportRules {
  readMany: string;
  listMethod: string;
  personalModels: string[];
  /** Columns that make a raw SQL read one of people's records. */
  personalColumns?: string[];
  pagingKeys: string;
  fileCalls: string;
  /** Receivers of a file-writer-named call that are validation schemas. */
  schemaReceivers?: string;
  fileReaders?: string;
  fileText: string;
  /** Calls that answer the request or set its headers: headers given as an object name a file only in one of these. */
  responseCalls: string;
  /** Keys of a mail call's argument that carry a file (`attachments`): a file built only for a mail is no download. */
  mailAttachments?: string;
  delimiters: string;
  /** Calls that read no collection: an export word does not decide on a handler that makes only these and reads of one record. */
  quietCalls?: string;
  singleReads?: string;
  exportWork?: string;
  /** Whole collections of sign-in records answered as stored (src/classify/exports.ts credentialDump). */
  dumps: {
    secretColumns: string;
    projections: string;
    passThrough: string;
    hiddenSecrets: string;
    markedValues: string;
    strippedSecrets: string;
    resultRows: string;
  };
  /** Calls named for reading records (on a client the handler builds, they read). */
  builtReads?: string;
  /** Node's own modules, whose calls read no records. */
  inertModules?: string;
  followDepth: number;
}

export interface AssetRules {
  /** What a handler that does nothing but answer calls (src/classify/out-of-sight.ts). */
  stubs?: { checkCalls: string; globalWork: string; packageWork: string };
  /** A non-privileged role the signed-in user gives their own record. */
  selfService?: SelfServiceRules;
  /** The first step of an MFA enrolment (src/classify/pending-factor.ts). */
  pendingEnrolment?: {
    rules: string[];
    switchKeys: string;
    codeKeys: string;
    offValues: string;
    onFlags: string;
    secretGenerators: string;
    answeredSecret: string;
  };
  followDepth: number;
  /** Stored secrets that reach an answer (src/classify/reveals.ts). */
  reveals: RevealRules;
  /** Bulk exports by a collection read turned into a file (src/classify/exports.ts). */
  exports: ExportRules;
  /** A role row a reader fills in where it is missing (src/classify/assets.ts backfilledOnRead). */
  backfill?: { keepsExisting: string; readerNames: string };
  /** Whose record a balance credit changes, by its lookup key's origin (src/classify/chosen-record.ts). */
  chosenRecord: {
    requestPayload: string;
    signedIn: string;
    /** What a session reader may be handed and still answer who is signed in. */
    sessionCarriers?: string;
    accountKeys: string;
    conversions: string;
    /** Calls named for making something new: their answer is the server's, whatever request details they are given. */
    makers?: string;
    /** Names that carry a destination: a maker handed a value under one makes what was chosen. */
    destinationFields?: string;
    finders?: string;
    queryRefinements?: string;
    adminSegments?: string[];
    adminGates?: string;
    adminRoleGates?: string;
    adminRoleValues?: string;
  };
  /** Reads of the account itself, and records beside it holding an address of their own (rule flag notWhenCopied). */
  copiedIdentifier?: { accountReads: string; otherRecords: string };
  bookkeepingModels: string[];
  /** Records a membership belongs to: a role written with one's creation is the founder's own. */
  groupModels?: string[];
  /** Words naming the members' records of a record (`ProjectMember`, `project_users`). */
  membershipTails?: string[];
  /** Words that, following an asset's word in a record's name, make it a record about the asset (`apiKeyUsage`). */
  aboutRecordTails?: string[];
  /** Columns that remove a record by being set; written empty they restore it. */
  softRemovalKeys?: string[];
  cosmeticKeys: string[];
  /** Environment qualifiers after a key's term (`apikeyTest`): the same key. */
  keyQualifiers?: string[];
  /** Fields that hold the value of the object they sit in (`password.value`): the object's name is theirs. */
  containerValueFields?: string[];
  /** Keys ending in a cosmetic word that still name an identifier (regex). */
  notCosmeticKeys: string;
  roleKeys: string[];
  roleKeyPattern?: string;
  /** Declared columns of a referenced record that make a reference to it (`userGroupId`) a role. */
  roleRecordColumns?: string;
  roleByComparison?: {
    holders: string;
    values: string;
    notKeys?: string[];
    adminRefusal?: string;
    tokenHolders?: string;
    /** Role keys that may name a kind (`userType`): one when only ever compared with unprivileged values. */
    kindKeys?: string[];
    /** Values that make a compared kind key a role. */
    privilegedValues?: string;
    /** Values that name a kind of account; a kind key compared with any other is not a kind. */
    kindValues?: string;
  };
  /** Columns whose presence in a record's schema says the record signs in (`password`). */
  signInColumns?: string[];
  /** Keys naming a person in a write's call (`userId`): a write keyed by a shared record naming one is the person's. */
  personKeys: string;
  /** The stem of a reference to a person's record (`user` of `userId`): whose row it is, not a role it grants. */
  personStems?: string;
  ordinaryRoleValues: string;
  /** How the application's own sign-in code shows which identifiers sign in (src/classify/sign-in.ts). */
  signIn: SignInRules;
  /** Authentication libraries mounted as catch-alls, characterised by their configuration (src/classify/library-handlers.ts). */
  libraryHandlers?: LibraryHandlerRule[];
  assets: AssetRule[];
}

export interface LibraryHandlerRule {
  library: string;
  factory: string;
  handlerMethods: string;
  handlerFunctions: string;
  methods: string[];
  plugins: Record<string, { categories: string[]; serves: string }>;
  /** Plugins that serve nothing a stolen session can misuse (sign-in methods, session plumbing). */
  harmlessPlugins?: string[];
  options: {
    path: string[];
    categories: string[];
    serves: string;
    /** The library asks for this itself before the operation (`the current password`): the route is step-up protected. */
    guardedBy?: string;
    /** On unless written `false` (a value the configuration computes may be on). */
    onUnlessFalse?: boolean;
    /** An object option counts only with at least this many entries, or beside the `orWith` option turned on. */
    minEntries?: number;
    orWith?: string[];
  }[];
}

export interface SelfServiceRules {
  privilegedRoleValues: string;
  ownRecord: string;
  ownIdentifierKeys?: string;
  /** Reads of what the request sends: a key reading one is never the caller's own record. */
  requestReads?: string;
}

export interface SignInRules {
  passwordCheck: string;
  /** A one-time code generated or sent for sign-in (passwordless phone or e-mail login). */
  codeCheck?: string;
  /** A session or token issued: what makes a one-time code's function a sign-in rather than a verification. */
  codeSignInIssues?: string;
  lookups: string[];
  anyLookup: string;
  /** A request handler's answer: a password check answering with no token and issuing nothing is not a sign-in. */
  answers: string;
  /** A token handed back in an answer (`{ token: … }`). */
  tokenAnswer: string;
  /** Records a sign-in reads beside the account (codes, attempts, tokens, sessions). */
  notAccounts: string;
  families: Record<string, string>;
  defaultStrategy: string;
  /** A code or link sent to the account a function looks up, where the function is named for recovery. */
  recoverySend?: string;
  /** Words that say a function recovers an account (recover, forgot, reset). */
  recoveryWords?: string;
  /** Imports of an authentication library whose own sign-in may look people up by e-mail. */
  emailLibraries?: string;
  /** Imports of a hosted identity provider that keeps the sign-in in its own user store. */
  hostedIdentity?: string;
  /** Imports of an authentication library that keeps users in the application's database. */
  adapterLibraries?: string;
}

/** Every rule file by name. */
export interface RuleFiles {
  assets: AssetRules;
  categories: CategoryRules;
  effects: EffectRules;
  findings: FindingRules;
  frameworks: FrameworkRules;
  guards: GuardRules;
}
