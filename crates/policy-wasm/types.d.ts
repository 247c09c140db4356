// TypeScript declarations of the Interim policy's JSON interface: every
// input and every answer. The Rust wire types in `crates/policy` are the
// source; the npm package's tests check them with `tsc --strict`.

/** An RFC 3339 date-time, e.g. `2026-11-22T10:00:00Z` (answers use UTC with milliseconds). */
export type Instant = string;

/** A persona role, as the vendor's API writes it (`SYSTEM_ADMIN` is Company Admin). */
export type Role = "DEVELOPER" | "SYSTEM_ADMIN" | "COMPANY_VIEWER" | "GROUP_ADMIN" | "SECURITY" | "APP_SEC" | "INCIDENT_RESPONDER";

/** A category of the role matrix. */
export type Category = "COMPANY_CONFIG" | "SECURITY" | "ENVIRONMENT" | "APP_SEC" | "DEBUGGING_RUNBOOKS";

/** A level on a category: none, read, or write and read. */
export type Level = "NONE" | "R" | "WR";

/** A pool access level, as the group API and decisions write it. */
export type PoolLevelName = "STANDARD" | "PRIVILEGED";

/** A grant role as the temp-access API writes it (read in any letter case). */
export type GrantRoleName = "Standard" | "Privileged";

/** Viewing or changing an operation. */
export type Access = "view" | "change";

/** An operation of the catalogue, by id. */
export type OperationId =
  | "company.organization"
  | "company.usage"
  | "company.users"
  | "company.access_groups"
  | "company.temporary_access"
  | "company.identity"
  | "company.webhooks"
  | "company.ai_debugger"
  | "company.compliance"
  | "company.diagnostics"
  | "security.pii_redaction"
  | "security.blocklist"
  | "security.audit_events"
  | "security.api_keys"
  | "environment.agent_pools"
  | "environment.agents"
  | "environment.custom_sources"
  | "environment.tags"
  | "environment.action_information"
  | "environment.data_explorer"
  | "environment.dashboards"
  | "environment.debugger_configuration"
  | "environment.access_request_settings"
  | "appsec.runtime_reachability"
  | "appsec.watched_packages"
  | "appsec.reachability_webhooks"
  | "appsec.sbom"
  | "appsec.package_enrichment"
  | "runbooks.cases"
  | "runbooks.configuration_uploads"
  | "runbooks.case_results";

/** A stable problem code, `object.field.problem`. */
export type ViolationCode =
  | "body.json.malformed"
  | "body.field.invalid_type"
  | "body.field.unknown"
  | "body.field.missing"
  | "grant.name.blank"
  | "grant.name.too_long"
  | "grant.name.taken"
  | "grant.roles.required"
  | "grant.roles.empty"
  | "grant.roles.unknown"
  | "grant.agentPoolIds.required"
  | "grant.agentPoolIds.empty"
  | "grant.agentPoolIds.too_many"
  | "grant.agentPoolIds.duplicate"
  | "grant.agentPoolIds.blank"
  | "grant.agentPoolIds.unknown"
  | "grant.userEmails.required"
  | "grant.userEmails.empty"
  | "grant.userEmails.too_many"
  | "grant.userEmails.duplicate"
  | "grant.userEmails.invalid"
  | "grant.userEmails.unknown"
  | "grant.userEmails.disabled"
  | "grant.expirationDate.required"
  | "grant.expirationDate.invalid"
  | "grant.expirationDate.not_future"
  | "grant.expirationDate.too_far"
  | "grant.incidentId.too_long"
  | "grant.limit.reached"
  | "grant.rbac.disabled"
  | "grant.actor.not_allowed"
  | "grant.id.unknown"
  | "grant.role.required"
  | "grant.role.unknown"
  | "grant.expiryKind.required"
  | "grant.expiryKind.unknown"
  | "grant.expiry.required"
  | "grant.expiry.invalid"
  | "grant.expiry.out_of_range"
  | "grant.expiry.not_future"
  | "grant.expiry.too_far"
  | "limits.value.too_low"
  | "limits.value.loosened"
  | "user.email.invalid"
  | "user.roles.rbac_only"
  | "user.email.unknown"
  | "user.email.taken"
  | "user.firstName.required"
  | "user.lastName.required"
  | "user.name.too_long"
  | "user.password.too_short"
  | "user.password.too_long"
  | "user.roles.last_admin"
  | "group.name.required"
  | "group.name.too_long"
  | "group.name.taken"
  | "group.agentPoolIds.unknown"
  | "group.agentPoolIds.duplicate"
  | "group.members.unknown"
  | "apiKey.label.invalid"
  | "apiKey.expirationDays.out_of_range"
  | "pool.name.required"
  | "pool.name.too_long"
  | "pool.name.taken"
  | "pool.description.too_long"
  | "request.rbac.disabled"
  | "request.requester.not_allowed"
  | "request.agentPoolId.required"
  | "request.agentPoolId.unknown"
  | "request.agentPoolId.not_requestable"
  | "request.agentPoolId.already_accessible"
  | "request.agentPoolId.duplicate"
  | "request.period.required"
  | "request.period.unknown"
  | "request.period.not_allowed"
  | "request.durationMinutes.required"
  | "request.durationMinutes.out_of_range"
  | "request.durationMinutes.unexpected"
  | "request.durationMinutes.wider_than_requested"
  | "request.reason.required"
  | "request.reason.too_long"
  | "request.ticketRef.too_long"
  | "request.comment.required"
  | "request.comment.too_long"
  | "request.id.unknown"
  | "request.status.illegal_transition"
  | "request.status.not_due"
  | "request.actor.not_reviewer"
  | "request.actor.self_review"
  | "request.actor.not_requester"
  | "request.actor.not_allowed"
  | "delegation.from.not_reviewer"
  | "delegation.to.unknown"
  | "delegation.to.self"
  | "delegation.to.disabled"
  | "delegation.startsAt.invalid"
  | "delegation.endsAt.invalid"
  | "delegation.endsAt.before_start"
  | "delegation.endsAt.not_future"
  | "delegation.endsAt.too_far"
  | "legacy.email.invalid"
  | "legacy.email.duplicate"
  | "legacy.legacyRoles.unknown"
  | "legacy.groupAdminOf.unknown"
  | "legacy.groupAdminOf.rbac_off"
  | "audit.chain.sequence_gap"
  | "audit.chain.prev_mismatch"
  | "audit.chain.hash_mismatch"
  | "snapshot.id.duplicate"
  | "snapshot.reference.unknown"
  | "snapshot.value.invalid";

/** An action of the audit log. */
export type AuditActionName =
  | "grant.created"
  | "grant.deleted"
  | "grant.expired"
  | "grant.replaced"
  | "request.created"
  | "request.approved"
  | "request.denied"
  | "request.cancelled"
  | "request.expired"
  | "request.revoked"
  | "request.ended"
  | "delegation.created"
  | "delegation.revoked"
  | "role.assigned"
  | "role.removed"
  | "user.created"
  | "user.updated"
  | "user.enabled"
  | "user.disabled"
  | "user.deleted"
  | "users.imported"
  | "group.created"
  | "group.updated"
  | "group.deleted"
  | "pool.created"
  | "pool.updated"
  | "pool.deleted"
  | "settings.changed"
  | "signin.succeeded"
  | "signin.failed"
  | "signout"
  | "apikey.created"
  | "apikey.revoked"
  | "apikey.updated";

/** One problem: the field it is about (`userEmails[3]`; empty for the whole), a stable code, and words. */
export interface Violation {
  field: string;
  code: ViolationCode;
  message: string;
}

/** A refusal: every problem at once, and the HTTP status the server would answer. */
export interface Failure {
  type: "failure";
  status: 400 | 403 | 404 | 409;
  errors: Violation[];
}

/** An answer: `{type: "success", ...T}` or a failure. */
export type Answer<T = Record<string, unknown>> = ({ type: "success" } & T) | Failure;

/** What is thrown for input that does not have the documented shape. */
export interface MalformedInput extends Error {
  name: "MalformedInput";
  errors: Violation[];
}

/** The name of an operation of the JSON interface. */
export type OpName =
  | "validateGrant"
  | "validateGrantForm"
  | "decide"
  | "decideMany"
  | "explainPoolAccess"
  | "effectivePermissions"
  | "whoCanApprove"
  | "requestAccess"
  | "validateRequest"
  | "requestTransition"
  | "validateDelegation"
  | "migrateLegacy"
  | "validateLimits"
  | "validateUser"
  | "validatePool"
  | "validateGroup"
  | "validateMember"
  | "validateApiKey"
  | "verifyAuditChain"
  | "accessReport"
  | "matrix"
  | "catalogue";

/** A call of the JSON interface. */
export interface Call {
  op: OpName;
  /** The instant to decide at; required by every time-dependent operation. */
  now?: Instant;
  /** The company; a loaded `Company` supplies its own. */
  snapshot?: Snapshot;
  /** Who acts: the grant's creator, the requester, the reviewer, the delegator. */
  actor?: string;
  /** The grant being replaced (validateGrant*), the user or pool being updated. */
  replacing?: string;
  input?: unknown;
}

/** A call of one operation, without its `op`. */
export interface Request<T> {
  now?: Instant;
  snapshot?: Snapshot;
  actor?: string;
  replacing?: string;
  input: T;
}

// ---- The company snapshot ----------------------------------------------

/** The bounds of grants (tighten-only). */
export interface Limits {
  maxUsersPerGrant: number;
  maxPoolsPerGrant: number;
  maxGrantDays: number;
  maxActiveGrants: number;
}

export interface SnapshotUser {
  email: string;
  firstName?: string;
  lastName?: string;
  /** Default true. */
  enabled?: boolean;
  roles?: Role[];
}

/** An access-request period preset. */
export type Period = "1h" | "4h" | "8h" | "12h" | "1d" | "7d" | "custom";

export interface RequestSettings {
  enabled: boolean;
  periods?: Period[];
  /** Default manual. */
  approval?: "manual" | "auto";
  reasonRequired?: boolean;
}

export interface SnapshotPool {
  id: string;
  name: string;
  description?: string;
  requestSettings?: RequestSettings;
  accessReviewers?: string[];
}

export interface GroupMember {
  email: string;
  groupAdmin?: boolean;
  elevatedRoles?: PoolLevelName[];
}

export interface SnapshotGroup {
  id: string;
  name: string;
  agentPoolIds?: string[];
  roles?: PoolLevelName[];
  members?: GroupMember[];
  requestOverrides?: { agentPoolId: string; requestSettings: RequestSettings }[];
}

/** An active grant, the vendor's `TempAccess`. */
export interface TempAccess {
  id: string;
  name: string;
  agentPoolIds: string[];
  userEmails: string[];
  roles: GrantRoleName[];
  expirationDate: Instant;
  createdAt: Instant;
  incidentId?: string;
  createdBy?: string;
}

export type RequestStatus = "pending" | "approved" | "denied" | "cancelled" | "expired" | "revoked" | "ended";

/** A stored access request. */
export interface AccessRequest {
  id: string;
  requester: string;
  agentPoolId: string;
  status: RequestStatus;
  approval: "manual" | "auto";
  requestedMinutes: number;
  reason?: string;
  ticketRef?: string;
  createdAt: Instant;
  approvedAt?: Instant;
  endsAt?: Instant;
  decidedBy?: string;
}

/** A reviewer's delegation of reviewing. */
export interface Delegation {
  from: string;
  to: string;
  startsAt: Instant;
  endsAt: Instant;
}

/** A company as the policy sees it (the server's GET /api/v1/snapshot). */
export interface Snapshot {
  companyId?: string;
  rbacEnabled: boolean;
  limits?: Limits;
  users?: SnapshotUser[];
  agentPools?: SnapshotPool[];
  groups?: SnapshotGroup[];
  grants?: TempAccess[];
  requests?: AccessRequest[];
  delegations?: Delegation[];
}

// ---- Inputs ---------------------------------------------------------------

/** The vendor's POST /temp-access body. */
export interface CreateTempAccess {
  agentPoolIds?: string[];
  userEmails?: string[];
  roles?: string[];
  expirationDate?: Instant;
  name?: string;
  incidentId?: string;
}

/** A number typed into a form: a JSON number or the input's text. */
export type FormValue = number | string;

/** The portal's grant form: one role; an expiry in days, hours, or a custom instant. */
export interface GrantForm {
  name?: string;
  role?: string;
  agentPoolIds?: string[];
  userEmails?: string[];
  expiryKind?: "days" | "hours" | "custom" | string;
  expiry?: FormValue;
  incidentId?: string;
}

/** A decision query: an operation with an access, or a pool access level on a pool. */
export type DecisionQuery =
  | { user: string; operation: OperationId; access: Access; pool?: string }
  | { user: string; poolAccess: PoolLevelName; pool: string };

export type WhoCanApproveInput =
  | { requestId: string }
  | { requester: string; agentPoolId: string };

/** An access request as the requester submits it. */
export interface AccessRequestInput {
  agentPoolId?: string;
  /** A preset or `custom`. */
  period?: Period | string;
  /** The duration of a custom period. */
  durationMinutes?: FormValue;
  reason?: string;
  ticketRef?: string;
}

export interface TransitionInput {
  requestId: string;
  action: "approve" | "deny" | "cancel" | "expire" | "revoke" | "end";
  /** Approve for a shorter period. */
  durationMinutes?: FormValue;
  comment?: string;
}

export interface DelegationInput {
  to: string;
  startsAt?: Instant;
  endsAt: Instant;
}

/** A user of a legacy role import. */
export interface LegacyUser {
  email: string;
  firstName?: string;
  lastName?: string;
  /** `default_user` → Developer, `ROLE_MANAGER` → Company Admin. */
  legacyRoles?: string[];
  groupAdminOf?: string[];
}

export interface UserInput {
  email?: string;
  firstName?: string;
  lastName?: string;
  roles?: Role[];
  password?: string;
}

export interface PoolInput {
  name?: string;
  description?: string;
}

export interface GroupInput {
  name?: string;
  agentPoolIds?: string[];
  roles?: PoolLevelName[];
}

export interface ApiKeyInput {
  label?: string;
  expirationDays?: number;
}

/** An event of the audit log, sealed in the hash chain. */
export interface AuditEvent {
  seq: number;
  time: Instant;
  actor: string;
  action: AuditActionName;
  target: string;
  details?: unknown;
  reason?: string | null;
  prevHash: string;
  hash: string;
}

// ---- Answers --------------------------------------------------------------

/** A grant that passed validation. */
export interface ValidGrant {
  name: string;
  /** The name was made up (none given). */
  defaultName: boolean;
  agentPoolIds: string[];
  userEmails: string[];
  roles: GrantRoleName[];
  expirationDate: Instant;
  incidentId?: string;
}

/** A decision with its reason (`allow.group`, `deny.level_too_low`, …). */
export interface Decision {
  allowed: boolean;
  reason: string;
  message: string;
  role?: Role;
  groupId?: string;
  grantId?: string;
  requestId?: string;
  poolLevel?: PoolLevelName;
  until?: Instant;
}

/** Access to one pool, at both levels, with every source. */
export interface PoolExplanation {
  decision: Decision;
  privileged: Decision;
  sources: Decision[];
}

export interface CategoryPermission {
  category: Category;
  level: Level;
  fromRoles: Role[];
  scopedPools?: string[];
}

export interface PoolPermission {
  agentPoolId: string;
  level: PoolLevelName;
  permissions: string[];
  sources: Decision[];
}

/** What a user may do at an instant, with the reason for each part. */
export interface EffectivePermissions {
  email: string;
  enabled: boolean;
  rbacEnabled: boolean;
  roles: Role[];
  inertRoles: Role[];
  categories: CategoryPermission[];
  pools: PoolPermission[];
  lockedPools: string[];
}

/** Who may review, and how. */
export interface Reviewer {
  email: string;
  via: string;
  groupId?: string;
  delegatedBy?: string;
  until?: Instant;
}

/** Whether a user can request access to a pool. */
export type RequestAccess =
  | { kind: "standing"; groupId: string; poolLevel: PoolLevelName }
  | { kind: "requestable"; settings: RequestSettings; reasonRequired: boolean; groupIds: string[] }
  | { kind: "notRequestable" };

/** A request that passed validation, as it would be stored. */
export interface ValidRequest {
  requester: string;
  agentPoolId: string;
  period: Period;
  requestedMinutes: number;
  approval: "manual" | "auto";
  status: RequestStatus;
  reason?: string;
  ticketRef?: string;
  createdAt: Instant;
  approvedAt?: Instant;
  endsAt?: Instant;
  expiresAt?: Instant;
}

/** The outcome of a state transition of a request. */
export interface Transition {
  requestId: string;
  from: RequestStatus;
  to: RequestStatus;
  approvedAt?: Instant;
  endsAt?: Instant;
  grantedMinutes?: number;
  comment?: string;
}

/** One user as a legacy import would write them. */
export interface MigratedUser {
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
  groupAdminOf: string[];
  action: "create" | "update";
  inertRoles?: Role[];
}

export interface ValidUser {
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
}

export interface ValidGroup {
  name: string;
  agentPoolIds: string[];
  roles: PoolLevelName[];
}

/** The audit chain, verified. */
export interface ChainStatus {
  checked: number;
  head: string;
}

/** One role's row of the matrix. */
export interface MatrixRow {
  role: Role;
  name: string;
  rbacOnly: boolean;
  categories: Record<Category, { level: Level; scoped: boolean }>;
}

export type Matrix = MatrixRow[];

export interface CatalogueOperation {
  id: OperationId;
  category: Category;
  title: string;
  poolScoped: boolean;
}

export type Catalogue = CatalogueOperation[];

/** One source of one user's current access to one pool. */
export interface AccessRow {
  agentPoolId: string;
  poolName: string;
  user: string;
  level: PoolLevelName;
  source: "group" | "grant" | "request" | "rbacOff";
  sourceId?: string;
  until?: Instant;
}

export interface PoolSummary {
  agentPoolId: string;
  name: string;
  requestSettings?: RequestSettings;
  accessReviewers: string[];
  groupIds: string[];
  usersWithAccess: number;
}

export interface GroupSummary {
  groupId: string;
  name: string;
  agentPoolIds: string[];
  level?: PoolLevelName;
  members: number;
  groupAdmins: string[];
  overriddenPools: string[];
}

export interface UserSummary {
  email: string;
  enabled: boolean;
  roles: Role[];
  pools: number;
  lockedPools: string[];
}

/** The access summary: configuration and current access, at an instant. */
export interface AccessReport {
  generatedAt: Instant;
  by: "pool" | "group" | "user";
  pools: PoolSummary[];
  groups: GroupSummary[];
  users: UserSummary[];
  access: AccessRow[];
}

// ---- Each operation's request and answer --------------------------------

export type ValidateGrantRequest = Request<CreateTempAccess>;
export type ValidateGrantAnswer = Answer<{ grant: ValidGrant }>;
export type ValidateGrantFormRequest = Request<GrantForm>;
export type ValidateGrantFormAnswer = Answer<{ grant: ValidGrant; request: CreateTempAccess }>;
export type DecideRequest = Request<DecisionQuery>;
export type DecideAnswer = Answer<{ decision: Decision }>;
export type DecideManyRequest = Request<{ queries: DecisionQuery[] }>;
export type DecideManyAnswer = Answer<{ decisions: Decision[] }>;
export type ExplainPoolAccessRequest = Request<{ user: string; pool: string }>;
export type ExplainPoolAccessAnswer = Answer<{ explanation: PoolExplanation }>;
export type EffectivePermissionsRequest = Request<{ user: string }>;
export type EffectivePermissionsAnswer = Answer<{ permissions: EffectivePermissions }>;
export type WhoCanApproveRequest = Request<WhoCanApproveInput>;
export type WhoCanApproveAnswer = Answer<{ reviewers: Reviewer[] }>;
export type RequestAccessRequest = Request<{ user: string; pool: string }>;
export type RequestAccessAnswer = Answer<{ access: RequestAccess }>;
export type ValidateRequestRequest = Request<AccessRequestInput>;
export type ValidateRequestAnswer = Answer<{ request: ValidRequest }>;
export type RequestTransitionRequest = Request<TransitionInput>;
export type RequestTransitionAnswer = Answer<{ transition: Transition }>;
export type ValidateDelegationRequest = Request<DelegationInput>;
export type ValidateDelegationAnswer = Answer<{ delegation: Delegation }>;
export type MigrateLegacyRequest = Request<LegacyUser[]>;
export type MigrateLegacyAnswer = Answer<{ users: MigratedUser[] }>;
export type ValidateLimitsRequest = Request<Partial<Limits>>;
export type ValidateLimitsAnswer = Answer<{ limits: Limits }>;
export type ValidateUserRequest = Request<UserInput>;
export type ValidateUserAnswer = Answer<{ user: ValidUser }>;
export type ValidatePoolRequest = Request<PoolInput>;
export type ValidatePoolAnswer = Answer<{ pool: { name: string; description: string } }>;
export type ValidateGroupRequest = Request<GroupInput>;
export type ValidateGroupAnswer = Answer<{ group: ValidGroup }>;
export type ValidateMemberRequest = Request<{ user: string }>;
export type ValidateMemberAnswer = Answer<{ member: string }>;
export type ValidateApiKeyRequest = Request<ApiKeyInput>;
export type ValidateApiKeyAnswer = Answer<{ apiKey: Record<string, never> }>;
export type VerifyAuditChainRequest = Request<AuditEvent[]>;
export type VerifyAuditChainAnswer = Answer<{ chain: ChainStatus }>;
export type AccessReportRequest = Request<{ by?: "pool" | "group" | "user" }>;
export type AccessReportAnswer = Answer<{ report: AccessReport }>;
