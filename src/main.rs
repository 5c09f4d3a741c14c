//! The certgate binary: parse arguments, run, map the outcome to an exit status
//! (0 pass, 1 findings at or above --fail-on, 2 invalid usage or an internal error).

#![forbid(unsafe_code)]

use std::process::ExitCode;

use certgate::cli::{CliError, Outcome, run};
use certgate::report::one_line;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match run(std::env::args_os()) {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Fail) => ExitCode::from(1),
        Err(CliError::Usage(msg)) => {
            if !msg.is_empty() {
                eprintln!("certgate: {}", one_line(&msg));
            }
            ExitCode::from(2)
        }
        Err(CliError::Internal(msg)) => {
            eprintln!("certgate: internal error: {}", one_line(&msg));
            ExitCode::from(2)
        }
    }
}
