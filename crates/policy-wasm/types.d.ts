// TypeScript declarations of the Interim policy's JSON interface
// (`crates/policy/src/api.rs`): every call, every input and every answer.
// They are read off the Rust wire types (serde: camelCase, `default` fields
// optional in inputs, `skip_serializing_if` fields optional in answers), and
// checked against them by `tests/declarations` (native, in `cargo test
// --workspace`: every property, its `?` and kind, every union's values); the
// npm package's tests also check them with `tsc --strict` against the example
// and the corpus's real answers. Plain declarations: wasm-bindgen places them
// in the generated module's `.d.ts`.

// ---- Scalars and names --------------------------------------------------

/**
 * An RFC 3339 date-time with an offset, e.g. `2026-11-22T10:00:00Z` or
 * `2026-11-22T11:00:00+01:00`. Answers always write UTC with milliseconds:
 * `2026-11-22T10:00:00.000Z`.
 */
export type Instant = string;

/** A persona role as the vendor's API writes it (read exactly; `SYSTEM_ADMIN` is Company Admin). */
export type Role =
  | "DEVELOPER"
  | "SYSTEM_ADMIN"
  | "COMPANY_VIEWER"
  | "GROUP_ADMIN"
  | "SECURITY"
  | "APP_SEC"
  | "INCIDENT_RESPONDER";

/** The name people read for a role, in the order of {@link Role}. */
export type RoleDisplayName =
  | "Developer"
  | "Company Admin"
  | "Company Viewer"
  | "Group Admin"
  | "Security"
  | "AppSec"
  | "Incident Responder";

/** A category of the role matrix. */
export type Category = "COMPANY_CONFIG" | "SECURITY" | "ENVIRONMENT" | "APP_SEC" | "DEBUGGING_RUNBOOKS";

/** A level on a category: none, read, or write and read (`NONE < R < WR`). */
export type Level = "NONE" | "R" | "WR";

/** A pool access level as answers, groups and decisions write it. */
export type PoolLevelName = "STANDARD" | "PRIVILEGED";

/** A pool access level as the temp-access API writes it (grants' `roles` in answers). */
export type GrantRoleName = "Standard" | "Privileged";

/**
 * A pool access level in an input: `Standard` / `Privileged` read in any
 * letter case (these are the usual spellings; any other casing is accepted too).
 */
export type PoolLevelInput = PoolLevelName | GrantRoleName | "standard" | "privileged";

/** A pool permission of the user API: `STANDARD`, plus `IGNORE_QUOTA` when privileged. */
export type PoolPermissionName = "STANDARD" | "IGNORE_QUOTA";

/** Viewing (needs `R`) or changing (needs `WR`) an operation. */
export type Access = "view" | "change";

/** An operation of the catalogue, by its stable id. */
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
  | "environment.group_members"
  | "appsec.runtime_reachability"
  | "appsec.watched_packages"
  | "appsec.reachability_webhooks"
  | "appsec.sbom"
  | "appsec.package_enrichment"
  | "runbooks.cases"
  | "runbooks.configuration_uploads"
  | "runbooks.case_results";

/** An access period a pool offers: a preset, or `custom` (any duration up to 7 days). */
export type Period = "1h" | "4h" | "8h" | "12h" | "1d" | "7d" | "custom";

/** Who approves a request: a reviewer (`manual`), or the requester with a reason (`auto`). */
export type Approval = "manual" | "auto";

/** The life of an access request. */
export type RequestStatus = "pending" | "approved" | "denied" | "cancelled" | "expired" | "revoked" | "ended";

/** What happened, in an audit event. */
export type AuditAction =
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
  | "user.activation_link"
  | "user.activated"
  | "user.password_changed"
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

/** @deprecated The former name of {@link AuditAction}. */
export type AuditActionName = AuditAction;

// ---- Violations, answers and errors --------------------------------------

/**
 * A problem code of input that does not have the documented shape (thrown,
 * never answered): its shape, or a snapshot that does not hold together
 * (duplicates, dangling references, invalid values, loosened limits).
 */
export type MalformedCode =
  | "body.json.malformed"
  | "body.field.invalid_type"
  | "body.field.unknown"
  | "body.field.missing"
  | "limits.value.too_low"
  | "limits.value.loosened"
  | "snapshot.id.duplicate"
  | "snapshot.reference.unknown"
  | "snapshot.value.invalid";

/** A stable problem code, `object.field.problem`: every code of `violation.rs`. */
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
  | "report.id.unknown"
  | "settings.companyName.required"
  | "settings.companyName.invalid"
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
  | "apiKey.scopes.unknown"
  | "apiKey.scopes.wider_than_caller"
  | "apiKey.expirationDays.outlives_caller"
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
  | "requestSettings.periods.empty"
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
  | "audit.chain.truncated"
  | "audit.chain.rewritten"
  | "snapshot.id.duplicate"
  | "snapshot.reference.unknown"
  | "snapshot.value.invalid";

/**
 * One problem: the field it is about (a path such as `userEmails[3]`;
 * empty for the input as a whole), a stable code, and a message for people.
 */
export interface Violation<C extends ViolationCode = ViolationCode> {
  field: string;
  code: C;
  message: string;
}

/** The HTTP status of a refusal: the first that applies of 400, 404, 409, 403. */
export type FailureStatus = 400 | 403 | 404 | 409;

/** A refusal of the domain: every problem at once, and the HTTP status the server would answer. */
export interface Failure {
  type: "failure";
  status: FailureStatus;
  errors: Violation[];
}

/**
 * An answer: `{type: "success", ...T}` or a {@link Failure}. Without a type
 * argument, the answer of any operation.
 */
export type Answer<T = AnySuccess> = ({ type: "success" } & T) | Failure;

/**
 * What is thrown for input that does not have the documented shape (an
 * unknown op or field, a wrong type, a missing `now`, `snapshot` or `actor`,
 * a snapshot that does not hold together): an `Error` whose `errors` name
 * each problem's field as a path in the argument (`input.userEmails[0]`).
 * A shape problem is the first one found; a snapshot's problems are all
 * listed at once.
 */
export interface MalformedInput extends Error {
  name: "MalformedInput";
  errors: Violation<MalformedCode>[];
}

// ---- Calls -----------------------------------------------------------------

/** The name of an operation of the JSON interface (`OPS` in `api.rs`). */
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
  | "validateRequestSettings"
  | "migrateLegacy"
  | "validateLimits"
  | "validateCompanyName"
  | "validateUser"
  | "validatePool"
  | "validateGroup"
  | "validateMember"
  | "validateApiKey"
  | "verifyAuditChain"
  | "verifyAuditLog"
  | "accessReport"
  | "matrix"
  | "catalogue";

/** A call of the JSON interface: `{op, now?, snapshot?, actor?, replacing?, input}` (no other key). */
export interface Call {
  op: OpName;
  /** The instant to decide at; required by every time-dependent operation. */
  now?: Instant;
  /** The company; required by the operations that read it. A loaded `Company` supplies its own: leave it out there. */
  snapshot?: Snapshot;
  /** Who acts: the grant's creator, the requester, the reviewer, the delegator. */
  actor?: string;
  /** `validateGrant*`: the id of the grant being replaced; `validateUser`, `validatePool`, `validateGroup`: the e-mail or id being updated. */
  replacing?: string;
  /** The operation's input (see each operation's request type). */
  input?: unknown;
}

/** A call of one operation, without its `op`. */
export interface Request<T> {
  /** The instant to decide at; required by every time-dependent operation. */
  now?: Instant;
  /** The company; a loaded `Company` supplies its own (leave it out there). */
  snapshot?: Snapshot;
  /** Who acts: the grant's creator, the requester, the reviewer, the delegator. */
  actor?: string;
  /** The grant, user, pool or group being replaced or updated. */
  replacing?: string;
  input: T;
}

/** A call of an operation that depends on time: `now` is required (a missing one is thrown). */
export interface TimedRequest<T> extends Request<T> {
  now: Instant;
}

/** A call of an operation that depends on time and on who acts: `now` and `actor` are required. */
export interface ActingRequest<T> extends TimedRequest<T> {
  actor: string;
}

// ---- The company snapshot (`SnapshotWire`) ----------------------------------

/** The bounds of grants in force for a company; each 1 or more, and no looser than the seed (50, 20, 31, 100). */
export interface Limits {
  /** Users per grant (seed: 50). */
  maxUsersPerGrant: number;
  /** Agent pools per grant (seed: 20). */
  maxPoolsPerGrant: number;
  /** Longest grant, in days (seed: 31). */
  maxGrantDays: number;
  /** Active grants at once per company (seed: 100). */
  maxActiveGrants: number;
}

/** A user of the company, as the snapshot carries it (`UserWire`). */
export interface SnapshotUser {
  email: string;
  /** Default empty. */
  firstName?: string;
  /** Default empty. */
  lastName?: string;
  /** Default true. */
  enabled?: boolean;
  /** Default none. */
  roles?: Role[];
}

/** Access-request settings of a pool or of one group assignment, as an input (`RequestSettingsWire`). */
export interface RequestSettingsInput {
  /** Requests enabled: the pool is locked for the group; members request access. */
  enabled: boolean;
  /** Default none. */
  periods?: Period[];
  /** Default `manual`. */
  approval?: Approval;
  /** Default false. */
  reasonRequired?: boolean;
}

/** Access-request settings as answers write them (`RequestSettingsWire`, periods sorted and distinct). */
export interface RequestSettings {
  enabled: boolean;
  periods: Period[];
  approval: Approval;
  reasonRequired: boolean;
}

/** An agent pool (`AgentPoolWire`). */
export interface SnapshotPool {
  id: string;
  name: string;
  /** Default empty. */
  description?: string;
  /** The default for every group assignment of this pool; absent: requests off. */
  requestSettings?: RequestSettingsInput;
  /** Users (e-mails) named as access reviewers of this pool. */
  accessReviewers?: string[];
}

/** A member of an access group (`GroupMemberWire`). */
export interface GroupMember {
  email: string;
  /** Default false. */
  groupAdmin?: boolean;
  /** Pool roles this member has beyond the group's. */
  elevatedRoles?: PoolLevelInput[];
}

/** Request settings overriding the pool's default for one group assignment (`AssignmentOverrideWire`). */
export interface RequestOverride {
  agentPoolId: string;
  requestSettings: RequestSettingsInput;
}

/** An access group, an environment (`GroupWire`). */
export interface SnapshotGroup {
  id: string;
  name: string;
  agentPoolIds?: string[];
  /** The pool roles the group gives its members. */
  roles?: PoolLevelInput[];
  members?: GroupMember[];
  requestOverrides?: RequestOverride[];
}

/** An active grant: the vendor's `GetTempAccessPublicApiDTO` plus when it was created (`TempAccess`). */
export interface TempAccess {
  id: string;
  name: string;
  agentPoolIds: string[];
  userEmails: string[];
  /** `Standard` / `Privileged`, any letter case. */
  roles: PoolLevelInput[];
  expirationDate: Instant;
  /** The start of the grant's active period. */
  createdAt: Instant;
  incidentId?: string;
  createdBy?: string;
}

/** A stored access request (`AccessRequestWire`). */
export interface AccessRequest {
  id: string;
  requester: string;
  agentPoolId: string;
  status: RequestStatus;
  approval: Approval;
  /** The period asked for, in minutes (1 to 10080). */
  requestedMinutes: number;
  reason?: string;
  ticketRef?: string;
  createdAt: Instant;
  /** Set when approved: access runs on `[approvedAt, endsAt)`. */
  approvedAt?: Instant;
  endsAt?: Instant;
  decidedBy?: string;
}

/** A delegation of reviewing from one user to another for a bounded period (`DelegationWire`; also an answer). */
export interface Delegation {
  from: string;
  to: string;
  startsAt: Instant;
  endsAt: Instant;
}

/**
 * A company at one moment, as the policy decides against it (`SnapshotWire`,
 * the server's `GET /api/v1/snapshot`).
 */
export interface Snapshot {
  /** Default empty. */
  companyId?: string;
  rbacEnabled: boolean;
  /** Default: the seed limits. */
  limits?: Limits;
  users?: SnapshotUser[];
  agentPools?: SnapshotPool[];
  groups?: SnapshotGroup[];
  grants?: TempAccess[];
  requests?: AccessRequest[];
  delegations?: Delegation[];
}

// ---- Inputs ------------------------------------------------------------------

/**
 * The vendor's `POST /temp-access` body (`CreateTempAccess`). Every field is
 * optional here so that a missing one is a violation, not a thrown error.
 */
export interface CreateTempAccess {
  agentPoolIds?: string[];
  userEmails?: string[];
  /** `Standard` / `Privileged` in any letter case; anything else is a `grant.roles.unknown` violation. */
  roles?: string[];
  /** RFC 3339 with an offset; anything else is a `grant.expirationDate.invalid` violation. */
  expirationDate?: string;
  /** Absent: a default name `Temp-Access-DDMMYYYY-HHmmss-SSS` is given. */
  name?: string;
  incidentId?: string;
}

/** A number typed into a form: a JSON integer, or the text of an input (`FormValue`, untagged). */
export type FormValue = number | string;

/** The portal's grant form: one role, and an expiry in days, hours or a custom instant (`GrantForm`). */
export interface GrantForm {
  name?: string;
  /** `Standard` or `Privileged`, any letter case; anything else is a violation. */
  role?: string;
  agentPoolIds?: string[];
  userEmails?: string[];
  /** `days`, `hours` or `custom`; anything else is a violation. */
  expiryKind?: string;
  /** The number of days or hours, or the custom instant (RFC 3339 with the browser's offset). */
  expiry?: FormValue;
  incidentId?: string;
}

/**
 * A decision query (`DecisionQuery`): a user and either an operation with an
 * access (`pool` scopes environment operations), or a pool access level on a
 * pool. Any other combination is thrown.
 */
export type DecisionQuery =
  | { user: string; operation: OperationId; access: Access; pool?: string; poolAccess?: undefined }
  | { user: string; poolAccess: PoolLevelInput; pool: string; operation?: undefined; access?: undefined };

/** A user and a pool; the pool may be given as `pool` or as `agentPoolId` (not both). */
export type UserPoolInput =
  | { user: string; pool: string; agentPoolId?: undefined }
  | { user: string; agentPoolId: string; pool?: undefined };

/** A user, by e-mail (any letter case). */
export interface UserOnlyInput {
  user: string;
}

/** Whose request to review: a stored request, or a requester and a pool. Any other combination is thrown. */
export type WhoCanApproveInput =
  | { requestId: string; requester?: undefined; agentPoolId?: undefined }
  | { requester: string; agentPoolId: string; requestId?: undefined };

/** An access request as the requester (the call's `actor`) submits it (`AccessRequestInput`). */
export interface AccessRequestInput {
  agentPoolId?: string;
  /** A preset (`1h`, `4h`, `8h`, `12h`, `1d`, `7d`) or `custom`; anything else is a violation. */
  period?: string;
  /** The duration of a custom period, in minutes. */
  durationMinutes?: FormValue;
  reason?: string;
  ticketRef?: string;
}

/** An action on a stored request, by the call's `actor` (absent for the sweeper's `expire` and `end`). */
export interface TransitionInput {
  requestId: string;
  /** Any other action is thrown. */
  action: "approve" | "deny" | "cancel" | "expire" | "revoke" | "end";
  /** `approve`: a shorter period than asked, in minutes. */
  durationMinutes?: FormValue;
  /** For the requester: required to `deny`, optional to `approve` or `revoke`; at most 1000 characters. */
  comment?: string;
}

/** A delegation of reviewing as the delegating reviewer (the call's `actor`) submits it (`DelegationInput`). */
export interface DelegationInput {
  /** The delegate's e-mail (default empty: a violation). */
  to?: string;
  /** Default: `now`. */
  startsAt?: string;
  /** RFC 3339 (default empty: a violation). */
  endsAt?: string;
}

/** One user of a legacy role import (`LegacyUserWire`). */
export interface LegacyUser {
  email: string;
  firstName?: string;
  lastName?: string;
  /** `default_user` → Developer, `ROLE_MANAGER` → Company Admin; anything else is a violation. */
  legacyRoles?: string[];
  /** Ids of groups in which the user becomes a group admin. */
  groupAdminOf?: string[];
}

/** A user as an admin creates or updates them, with an optional initial password (`UserInput`). */
export interface UserInput {
  email?: string;
  firstName?: string;
  lastName?: string;
  roles?: Role[];
  password?: string;
}

/** An agent pool as created or updated (`PoolInput`). */
export interface PoolInput {
  name?: string;
  description?: string;
}

/** An access group as created or updated (`GroupInput`). */
export interface GroupInput {
  name?: string;
  agentPoolIds?: string[];
  roles?: PoolLevelInput[];
}

/** An API key's label, life and scopes. */
export interface ApiKeyInput {
  /** 3 to 50 letters, digits, spaces, underscores or hyphens, starting with a letter or digit. */
  label?: string;
  /** Whole days, 1 to 365 (absent: a violation). */
  expirationDays?: number;
  /** `COMPANY`, `DEV`, `SECURITY`, `CROSS_COMPANY`; none: the calling key's, or all. */
  scopes?: string[];
  /** When a key asks for the new key (a rotation): the new one may not be wider or outlive it (needs `now`). */
  callingKey?: CallingKeyInput;
}

/** The API key that asks for a new key. */
export interface CallingKeyInput {
  scopes: string[];
  expiresAt: Instant;
}

/** A sealed event of the audit log's hash chain (`AuditEvent`). */
export interface AuditEvent {
  /** 1, 2, 3, … */
  seq: number;
  time: Instant;
  /** A user's e-mail, or `system` for the sweeper. */
  actor: string;
  action: AuditAction;
  /** What it was done to: `grant:<id>`, `user:<email>`, … */
  target: string;
  /** Free-form JSON (default null). */
  details?: unknown;
  reason?: string | null;
  /** The previous event's hash (64 zeros for the first). */
  prevHash: string;
  /** SHA-256, lower-case hex. */
  hash: string;
}

/** How the access summary's rows are ordered and laid out. */
export type ReportBy = "pool" | "group" | "user";

/** What the access summary is ordered by. Any other `by` is thrown. */
export interface AccessReportInput {
  /** Default `pool`. */
  by?: ReportBy;
  /** One pool id, group id or user e-mail (by `by`) instead of all. */
  id?: string;
}

// ---- Answers -------------------------------------------------------------------

/** A grant that passed validation, ready to store (`NewGrant`). */
export interface ValidGrant {
  name: string;
  /** The name was absent and the default name was given. */
  defaultName: boolean;
  agentPoolIds: string[];
  /** As given, except that a known user's address is written as stored. */
  userEmails: string[];
  /** The highest role listed. */
  roles: GrantRoleName[];
  expirationDate: Instant;
  incidentId?: string;
}

/** The vendor's `POST /temp-access` body computed from a valid form: the grant to submit. */
export interface TempAccessBody {
  agentPoolIds: string[];
  userEmails: string[];
  roles: GrantRoleName[];
  expirationDate: Instant;
  /** Absent when the default name applies. */
  name?: string;
  incidentId?: string;
}

/** Why a decision came out as it did. */
export type DecisionReason =
  | "allow.role"
  | "allow.group_admin"
  | "allow.grant_manager"
  | "allow.group"
  | "allow.grant"
  | "allow.request"
  | "allow.rbac_off_standard"
  | "deny.user_unknown"
  | "deny.user_disabled"
  | "deny.pool_unknown"
  | "deny.level_too_low"
  | "deny.role_inert"
  | "deny.group_admin_out_of_scope"
  | "deny.pool_level_too_low"
  | "deny.pool_locked"
  | "deny.grant_expired"
  | "deny.request_ended"
  | "deny.no_pool_access"
  | "deny.rbac_off_privileged";

/** A decision with its reason and its source (`DecisionWire`). */
export interface Decision {
  allowed: boolean;
  reason: DecisionReason;
  message: string;
  role?: Role;
  groupId?: string;
  grantId?: string;
  requestId?: string;
  /** The pool level the source gives, when the reason is about pool access. */
  poolLevel?: PoolLevelName;
  /** Until when the source gives access (grants and requests), or when it ended. */
  until?: Instant;
}

/** Access to one pool: the decision for Standard, for Privileged, and every source (`PoolExplanation`). */
export interface PoolExplanation {
  decision: Decision;
  privileged: Decision;
  sources: Decision[];
}

/** One category as a user holds it (`CategoryPermission`). */
export interface CategoryPermission {
  category: Category;
  /** The company-wide level. */
  level: Level;
  /** The live roles that give that level. */
  fromRoles: Role[];
  /** Pools on which a scoped role gives more (Group Admin: WR on the pools of administered environments). */
  scopedPools?: string[];
}

/** Access to one pool and every source that gives it (`PoolPermission`). */
export interface PoolPermission {
  agentPoolId: string;
  level: PoolLevelName;
  permissions: PoolPermissionName[];
  sources: Decision[];
}

/** What a user may do at an instant, with the reason for each part (`EffectivePermissions`). */
export interface EffectivePermissions {
  email: string;
  enabled: boolean;
  rbacEnabled: boolean;
  roles: Role[];
  /** Roles recorded but giving nothing while RBAC is off. */
  inertRoles: Role[];
  categories: CategoryPermission[];
  /** Pools the user can use (while RBAC is off: every pool, Standard). */
  pools: PoolPermission[];
  /** Pools locked for the user's groups, which a request can open. */
  lockedPools: string[];
}

/** Who may review a request, and how (`Reviewer`). */
export interface Reviewer {
  email: string;
  via: "companyAdmin" | "groupAdmin" | "accessReviewer" | "delegate";
  /** `groupAdmin`: the environment administered. */
  groupId?: string;
  /** `delegate`: the reviewer who delegated. */
  delegatedBy?: string;
  /** `delegate`: the end of the delegation. */
  until?: Instant;
}

/** How a user reaches a pool through their groups. */
export type RequestAccess =
  | { kind: "standing"; groupId: string; poolLevel: PoolLevelName }
  | { kind: "requestable"; settings: RequestSettings; reasonRequired: boolean; groupIds: string[] }
  | { kind: "notRequestable" };

/** What a valid request has in common, however it is approved. */
export interface ValidRequestCommon {
  requester: string;
  agentPoolId: string;
  period: Period;
  requestedMinutes: number;
  reason?: string;
  ticketRef?: string;
  createdAt: Instant;
}

/**
 * A request that passed validation, not yet stored (`NewRequest`): pending
 * until `expiresAt` for manual approval, approved at once for auto. The
 * server gives it its `id` (and, approved at once, `decidedBy`); a
 * snapshot's `AccessRequest` keeps neither `expiresAt` (it is `createdAt`
 * plus 24 hours) nor `period`.
 */
export type ValidRequest =
  | (ValidRequestCommon & { approval: "manual"; status: "pending"; expiresAt: Instant })
  | (ValidRequestCommon & { approval: "auto"; status: "approved"; approvedAt: Instant; endsAt: Instant });

/** The outcome of a legal transition of a request (`TransitionOutcome`). */
export interface Transition {
  requestId: string;
  from: RequestStatus;
  to: RequestStatus;
  /** `approve`: now. */
  approvedAt?: Instant;
  /** `approve`: the end of the access granted. */
  endsAt?: Instant;
  /** `approve`: the minutes granted. */
  grantedMinutes?: number;
  /** The reviewer's comment, trimmed (`deny`, and `approve` or `revoke` when given). */
  comment?: string;
}

/** One user as a legacy import would write them (`MigratedUser`). */
export interface MigratedUser {
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
  /** Groups in which the user becomes a group admin. */
  groupAdminOf: string[];
  /** Create a new user or update an existing one. */
  action: "create" | "update";
  /** Roles that will be recorded but inert while RBAC is off. */
  inertRoles?: Role[];
}

/** A user that passed validation (`ValidUser`). */
export interface ValidUser {
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
}

/** An agent pool that passed validation: the trimmed name and description. */
export interface ValidPool {
  name: string;
  /** Empty when none. */
  description: string;
}

/** A group that passed validation (`ValidGroup`). */
export interface ValidGroup {
  name: string;
  agentPoolIds: string[];
  roles: PoolLevelName[];
}

/** The audit chain's head at an instant, signed by the server (`AuditCheckpoint`). */
export interface AuditCheckpoint {
  /** How many events the log held. */
  count: number;
  /** The hash of event `count`. */
  head: string;
  time: Instant;
  /** Ed25519, lower-case hex. */
  signature: string;
}

/** The audit log as the server exports it (`AuditLog`). */
export interface AuditLog {
  events: AuditEvent[];
  checkpoints?: AuditCheckpoint[];
  /** The checkpoints' Ed25519 public key, lower-case hex. */
  publicKey?: string;
}

/** A verified audit chain: how many events, and the last hash (`ChainStatus`). */
export interface ChainStatus {
  checked: number;
  head: string;
}

/** One source of one user's current access to one pool (`AccessRow`). */
export interface AccessRow {
  agentPoolId: string;
  poolName: string;
  user: string;
  level: PoolLevelName;
  /** `rbacOff`: RBAC is off, every pool is Standard for every enabled user. */
  source: "group" | "grant" | "request" | "rbacOff";
  /** The group, grant or request that gives the access. */
  sourceId?: string;
  /** When this source ends (grants and requests). */
  until?: Instant;
  /** By group: the group whose member this is. */
  groupId?: string;
}

/** A pool's configuration and how many use it now (`PoolSummary`). */
export interface PoolSummary {
  agentPoolId: string;
  name: string;
  /** The pool's default request settings (absent: requests off). */
  requestSettings?: RequestSettings;
  /** The request settings in words. */
  accessRequests: string;
  accessReviewers: string[];
  /** Groups holding the pool. */
  groupIds: string[];
  /** Users with access now. */
  usersWithAccess: number;
}

/** A group's configuration (`GroupSummary`). */
export interface GroupSummary {
  groupId: string;
  name: string;
  agentPoolIds: string[];
  /** The highest pool role the group gives. */
  level?: PoolLevelName;
  members: number;
  groupAdmins: string[];
  /** Pools whose request settings this group's assignment overrides. */
  overriddenPools: string[];
  /** The request settings of each assignment in words, one per `agentPoolIds` entry. */
  accessRequests: string[];
}

/** A user's standing and current access (`UserSummary`). */
export interface UserSummary {
  email: string;
  enabled: boolean;
  roles: Role[];
  /** The access groups the user is a member of. */
  groupIds: string[];
  /** Pools the user can use now. */
  pools: number;
  /** Pools locked for the user's groups, which a request can open. */
  lockedPools: string[];
}

/** The access summary: configuration and current access at `generatedAt` (`AccessReport`). */
export interface AccessReport {
  generatedAt: Instant;
  by: ReportBy;
  pools: PoolSummary[];
  groups: GroupSummary[];
  users: UserSummary[];
  /** Every source of current access, ordered by `by` (`group`: only access through groups). */
  access: AccessRow[];
}

/** One cell of the matrix: the level a role gives on a category, and whether it is scoped to administered environments. */
export interface MatrixCell {
  level: Level;
  scoped: boolean;
}

/** One role's row of the matrix. */
export interface MatrixRow {
  role: Role;
  name: RoleDisplayName;
  /** The role exists only in RBAC companies. */
  rbacOnly: boolean;
  categories: Record<Category, MatrixCell>;
}

/** The role matrix (`matrix_json()`): one row per role, in the order of {@link Role}. */
export type Matrix = MatrixRow[];

/** One operation of the catalogue. */
export interface CatalogueOperation {
  id: OperationId;
  /** The category whose level governs it. */
  category: Category;
  title: string;
  /** Environment operations are decided per pool. */
  poolScoped: boolean;
}

/** The operation catalogue (`catalogue_json()`), grouped by category. */
export type Catalogue = CatalogueOperation[];

// ---- Each operation's request and answer -----------------------------------

/** `validateGrant`: the vendor's grant body; `replacing`: the id of the grant it replaces; with a snapshot, `actor` is checked. */
export type ValidateGrantRequest = TimedRequest<CreateTempAccess>;
/**
 * `validateGrant`: the grant as validated, not yet stored: the server gives
 * it its `id`, `createdAt` and `createdBy` (a snapshot's `TempAccess`), and
 * `defaultName` is not kept.
 */
export type ValidateGrantAnswer = Answer<{ grant: ValidGrant }>;

/** `validateGrantForm`: the portal's form; `replacing` and `actor` as for `validateGrant`. */
export type ValidateGrantFormRequest = TimedRequest<GrantForm>;
/** `validateGrantForm`: the grant, and the vendor's body to submit. */
export type ValidateGrantFormAnswer = Answer<{ grant: ValidGrant; request: TempAccessBody }>;

/** `decide` (needs a snapshot). */
export type DecideRequest = TimedRequest<DecisionQuery>;
/** `decide`: allowed or not, and why. */
export type DecideAnswer = Answer<{ decision: Decision }>;

/** `decideMany` (needs a snapshot). */
export type DecideManyRequest = TimedRequest<{ queries: DecisionQuery[] }>;
/** `decideMany`: one decision per query, in order. */
export type DecideManyAnswer = Answer<{ decisions: Decision[] }>;

/** `explainPoolAccess` (needs a snapshot). */
export type ExplainPoolAccessRequest = TimedRequest<UserPoolInput>;
/** `explainPoolAccess`: Standard and Privileged decisions, and every source. */
export type ExplainPoolAccessAnswer = Answer<{ explanation: PoolExplanation }>;

/** `effectivePermissions` (needs a snapshot). */
export type EffectivePermissionsRequest = TimedRequest<UserOnlyInput>;
/** `effectivePermissions`: what the user may do (an unknown user is a failure). */
export type EffectivePermissionsAnswer = Answer<{ permissions: EffectivePermissions }>;

/** `whoCanApprove` (needs a snapshot). */
export type WhoCanApproveRequest = TimedRequest<WhoCanApproveInput>;
/** `whoCanApprove`: the reviewers, direct ones first, then delegates. */
export type WhoCanApproveAnswer = Answer<{ reviewers: Reviewer[] }>;

/** `requestAccess` (needs a snapshot; no `now`). */
export type RequestAccessRequest = Request<UserPoolInput>;
/** `requestAccess`: standing access, the request settings that apply, or none. */
export type RequestAccessAnswer = Answer<{ access: RequestAccess }>;

/** `validateRequest` (needs a snapshot): `actor` is the requester. */
export type ValidateRequestRequest = ActingRequest<AccessRequestInput>;
/** `validateRequest`: the request as validated, not yet stored (see {@link ValidRequest}). */
export type ValidateRequestAnswer = Answer<{ request: ValidRequest }>;

/** `requestTransition` (needs a snapshot): `actor` is the reviewer or requester (absent for the sweeper). */
export type RequestTransitionRequest =
  /** A person's action: `actor` is the reviewer or the requester (a missing one is thrown). */
  | ActingRequest<TransitionInput & { action: "approve" | "deny" | "cancel" | "revoke" }>
  /** The sweeper's: no one acts. */
  | TimedRequest<TransitionInput & { action: "expire" | "end" }>;
/** `requestTransition`: the legal transition and what it sets. */
export type RequestTransitionAnswer = Answer<{ transition: Transition }>;

/** `validateDelegation` (needs a snapshot): `actor` is the delegating reviewer. */
export type ValidateDelegationRequest = ActingRequest<DelegationInput>;
/** `validateDelegation`: the delegation as it would be stored. */
export type ValidateDelegationAnswer = Answer<{ delegation: Delegation }>;

/** `validateRequestSettings`: a pool's or an assignment's request settings as an admin saves them. */
export type ValidateRequestSettingsRequest = Request<RequestSettingsInput>;
/** `validateRequestSettings`: the settings with periods sorted and distinct. */
export type ValidateRequestSettingsAnswer = Answer<{ settings: RequestSettings }>;

/** `migrateLegacy`: the import file's users; with a snapshot, matched to existing users and groups. */
export type MigrateLegacyRequest = Request<LegacyUser[]>;
/** `migrateLegacy`: the preview of every user (any problem makes it a failure). */
export type MigrateLegacyAnswer = Answer<{ users: MigratedUser[] }>;

/** `validateLimits`: all four limits. */
export type ValidateLimitsRequest = Request<Limits>;
/** `validateLimits`: the limits, unchanged. */
export type ValidateLimitsAnswer = Answer<{ limits: Limits }>;

/** `validateCompanyName`: the name as typed. */
export type ValidateCompanyNameRequest = Request<{ companyName: string }>;
/** `validateCompanyName`: the name trimmed, as it would be stored. */
export type ValidateCompanyNameAnswer = Answer<{ companyName: string }>;

/** `validateUser`: with a snapshot and `replacing` (an e-mail), an update of that user; otherwise a new user. */
export type ValidateUserRequest = Request<UserInput>;
/** `validateUser`: the user as it would be stored. */
export type ValidateUserAnswer = Answer<{ user: ValidUser }>;

/** `validatePool`: `replacing` is the id of the pool being updated. */
export type ValidatePoolRequest = Request<PoolInput>;
/** `validatePool`: the trimmed name and description. */
export type ValidatePoolAnswer = Answer<{ pool: ValidPool }>;

/** `validateGroup`: `replacing` is the id of the group being updated. */
export type ValidateGroupRequest = Request<GroupInput>;
/** `validateGroup`: the group as it would be stored. */
export type ValidateGroupAnswer = Answer<{ group: ValidGroup }>;

/** `validateMember` (needs a snapshot): a new member, by e-mail. */
export type ValidateMemberRequest = Request<UserOnlyInput>;
/** `validateMember`: the member's e-mail as stored. */
export type ValidateMemberAnswer = Answer<{ member: string }>;

/** `validateApiKey`. */
export type ValidateApiKeyRequest = Request<ApiKeyInput>;
/** `validateApiKey`: an empty object when valid. */
export type ValidateApiKeyAnswer = Answer<{ apiKey: Record<string, never> }>;

/** `verifyAuditChain`: the whole chain, from its first event. */
export type VerifyAuditChainRequest = Request<AuditEvent[]>;
/** `verifyAuditChain`: how many events, and the last hash (a broken link is a failure). */
export type VerifyAuditChainAnswer = Answer<{ chain: ChainStatus }>;

/** `verifyAuditLog`: an exported log (`GET /api/v1/audit/export?format=json`), its checkpoints' signatures already checked. */
export type VerifyAuditLogRequest = Request<AuditLog>;
/** `verifyAuditLog`: as `verifyAuditChain`; a missing or changed event a checkpoint vouches for is a failure. */
export type VerifyAuditLogAnswer = Answer<{ chain: ChainStatus }>;

/** `accessReport` (needs a snapshot). */
export type AccessReportRequest = TimedRequest<AccessReportInput>;
/** `accessReport`: the access summary at `now`. */
export type AccessReportAnswer = Answer<{ report: AccessReport }>;

/** `matrix` through `call` (its input is ignored). */
export type MatrixRequest = Omit<Request<unknown>, "input"> & { input?: unknown };
/** `matrix` through `call`: the role matrix (never a failure). */
export type MatrixAnswer = Answer<{ roles: Matrix }>;

/** `catalogue` through `call` (its input is ignored). */
export type CatalogueRequest = Omit<Request<unknown>, "input"> & { input?: unknown };
/** `catalogue` through `call`: the operation catalogue (never a failure). */
export type CatalogueAnswer = Answer<{ operations: Catalogue }>;

/** The success fields of any operation: the default of {@link Answer}, what `call` answers. */
export type AnySuccess =
  | { grant: ValidGrant }
  | { grant: ValidGrant; request: TempAccessBody }
  | { decision: Decision }
  | { decisions: Decision[] }
  | { explanation: PoolExplanation }
  | { permissions: EffectivePermissions }
  | { reviewers: Reviewer[] }
  | { access: RequestAccess }
  | { request: ValidRequest }
  | { transition: Transition }
  | { delegation: Delegation }
  | { settings: RequestSettings }
  | { users: MigratedUser[] }
  | { limits: Limits }
  | { companyName: string }
  | { user: ValidUser }
  | { pool: ValidPool }
  | { group: ValidGroup }
  | { member: string }
  | { apiKey: Record<string, never> }
  | { chain: ChainStatus }
  | { report: AccessReport }
  | { roles: Matrix }
  | { operations: Catalogue };
