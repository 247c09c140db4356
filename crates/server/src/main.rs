//! `interim-server`: see `interim_server::Config` for flags and environment.

use std::io::IsTerminal;

use clap::Parser;
use interim_server::LogFormat;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = interim_server::Config::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "interim_server=info,tower_http=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Json => logs.json().with_current_span(false).init(),
        // Colour only for a person at a terminal, never into a file or a
        // log collector.
        LogFormat::Text => logs.with_ansi(std::io::stdout().is_terminal()).init(),
    }
    match interim_server::serve(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("interim-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
