//! # interim-cli
//!
//! The `interim` command. Offline, with no server: `validate` grant and
//! access-request files (for CI), `explain` decisions against a company
//! snapshot, print the `roles` matrix and catalogue, preview a legacy role
//! migration, and `call` the policy's JSON interface directly. Online: a
//! client of the Interim API (`login`, `grant`, `user`, `audit`,
//! `snapshot`). Every rule is the policy crate's; this crate reads files,
//! talks HTTP and prints.
//!
//! Exit codes: 0 everything valid (or the command succeeded), 1 something
//! invalid or refused, 2 a usage, I/O or connection error.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

mod audit_file;
mod client;
mod offline;
mod output;
mod session;
mod validate;

pub use output::Format;

/// Exit code: everything valid, or the command succeeded.
pub const OK: u8 = 0;
/// Exit code: something is invalid, or the server refused.
pub const INVALID: u8 = 1;
/// Exit code: a usage, I/O or connection error.
pub const ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "interim",
    version,
    about = "Interim's policy on the command line: validate grant and request files offline, explain decisions, and manage grants through the API.",
    after_help = "Examples:\n  interim validate grants/*.json --context snapshot.json --format json\n  interim explain --context snapshot.json --user dana@example.com --pool pool-payments-prod\n  interim roles\n  INTERIM_URL=https://interim.example.com INTERIM_API_KEY=… interim grant list"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// `human` (colour on a terminal) or `json` (stable, for scripts).
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate grant and access-request files: JSON in the vendor's wire
    /// shape, or TOML with the same fields.
    #[command(
        after_help = "Examples:\n  interim validate grant.json\n  interim validate 'grants/**/*.json' requests/*.toml --context snapshot.json --actor admin@example.com\n  cat grant.json | interim validate - --format json\n\nA file holds one object or an array of them. Without --context only the checks that need no company run; with it, also unknown users and pools, the active-grant limit, name uniqueness and the actor's rights. Access requests are checked against a company only, so they need --context and --actor (the requester).\n\nExit codes: 0 all valid, 1 some invalid, 2 usage or I/O error."
    )]
    Validate(validate::ValidateArgs),
    /// Explain a decision against a company snapshot: why a user has (or
    /// lacks) access to a pool or an operation, or who may approve a request.
    #[command(
        after_help = "Examples:\n  interim explain --context snapshot.json --user dana@example.com --pool pool-payments-prod\n  interim explain --context snapshot.json --user dana@example.com --operation company.users --access change\n  interim explain --context snapshot.json --request req-42\n  interim explain --context snapshot.json --requester dana@example.com --pool pool-ledger-prod\n  interim explain --context snapshot.json --user dana@example.com --permissions"
    )]
    Explain(offline::ExplainArgs),
    /// The role matrix and the operation catalogue.
    #[command(after_help = "Examples:\n  interim roles\n  interim roles --format json")]
    Roles,
    /// Preview a legacy role import: who becomes what, and every problem.
    #[command(
        name = "migrate-roles",
        after_help = "Examples:\n  interim migrate-roles --preview legacy-users.json\n  interim migrate-roles --preview legacy-users.json --context snapshot.json --format json"
    )]
    MigrateRoles(offline::MigrateArgs),
    /// The access summary (configuration and current access per pool, group
    /// or user) as CSV or JSON: offline from a snapshot, or from the server.
    #[command(
        after_help = "Examples:\n  interim report --context snapshot.json --by user --as csv\n  interim report --by pool --as csv --output access.csv      # from the server\n  interim report --by group --id g-payments --as csv          # one group"
    )]
    Report(offline::ReportArgs),
    /// Run calls of the policy's JSON interface (`{op, now, snapshot,
    /// actor, replacing, input}`): one JSON value per line, answers likewise.
    #[command(after_help = "Example:\n  echo '{\"op\":\"matrix\"}' | interim call -")]
    Call(offline::CallArgs),
    /// Sign in to a server and keep the session for the other client commands.
    #[command(
        after_help = "Examples:\n  interim login --url http://127.0.0.1:8080 --email admin@example.com\n  INTERIM_PASSWORD=… interim login --url https://interim.example.com --email me@example.com"
    )]
    Login(session::LoginArgs),
    /// Forget the saved session.
    #[command(after_help = "Example:\n  interim logout")]
    Logout(client::ConnArgs),
    /// Temporary access grants on the server.
    #[command(subcommand)]
    Grant(client::GrantCommand),
    /// Users on the server.
    #[command(subcommand)]
    User(client::UserCommand),
    /// The audit log on the server.
    #[command(subcommand)]
    Audit(client::AuditCommand),
    /// Download the company snapshot (the `--context` of the offline commands).
    #[command(after_help = "Example:\n  interim snapshot --output snapshot.json")]
    Snapshot(client::SnapshotArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  interim completions bash > /etc/bash_completion.d/interim")]
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// Shells with completions.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

/// A file argument: a path, a glob pattern, or `-` for standard input.
pub type Input = PathBuf;

/// Runs a parsed command line and answers the exit code.
pub fn run(cli: Cli) -> u8 {
    let format = cli.format;
    match cli.command {
        Command::Validate(args) => validate::run(&args, format),
        Command::Explain(args) => offline::explain(&args, format),
        Command::Roles => offline::roles(format),
        Command::MigrateRoles(args) => offline::migrate(&args, format),
        Command::Call(args) => offline::call(&args),
        Command::Report(args) => offline::report(&args, format),
        Command::Login(args) => session::login(&args, format),
        Command::Logout(args) => session::logout(&args, format),
        Command::Grant(c) => client::grant(c, format),
        Command::User(c) => client::user(c, format),
        Command::Audit(c) => client::audit(c, format),
        Command::Snapshot(args) => client::snapshot(&args, format),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
                Shell::Elvish => clap_complete::Shell::Elvish,
                Shell::Powershell => clap_complete::Shell::PowerShell,
            };
            clap_complete::generate(shell, &mut cmd, "interim", &mut std::io::stdout());
            OK
        }
    }
}
