use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

fn main() -> ExitCode {
    let cli = dlq::cli::Cli::parse();
    // FAILPOINTS (builds with the `failpoints` feature only: the fault tests).
    let _fail_points = fail::FailScenario::setup();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dlq: error: cannot start the async runtime: {e}");
            return ExitCode::from(dlq::error::exit::FAILURE);
        }
    };
    let result = rt.block_on(dlq::run(cli));
    // Client libraries keep background tasks; do not wait for them to notice we are done.
    rt.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = dlq::error::exit_code(&e);
            if code != dlq::error::exit::SUCCESS {
                eprintln!("{}", dlq::terminal::error_line(&format!("{e:#}")));
            }
            ExitCode::from(code)
        }
    }
}
