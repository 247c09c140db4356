//! `interim-server`: see `interim_server::Config` for flags and environment.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "interim_server=info,tower_http=warn".into()),
        )
        .init();
    let config = interim_server::Config::parse();
    match interim_server::serve(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("interim-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
