//! The command line every service binary shares:
//! `<svc> [--config PATH] [--name value ...] [COMMAND]`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::ConfigError;

/// Parsed arguments. `command` defaults to `serve`.
#[derive(Debug, Default)]
pub struct Args {
    pub config: Option<PathBuf>,
    pub command: String,
    /// Other `--name value` options, by name without the dashes.
    pub options: HashMap<String, String>,
}

/// Why the arguments cannot be used; `Help` means print the usage and succeed.
#[derive(Debug, PartialEq, Eq)]
pub enum ArgsError {
    Help,
    Invalid(String),
}

/// Parse `args` (without the program name); `known` lists the accepted `--name value`
/// options besides `--config`.
pub fn parse(args: impl IntoIterator<Item = String>, known: &[&str]) -> Result<Args, ArgsError> {
    let mut out = Args {
        command: "serve".into(),
        ..Args::default()
    };
    let mut command_seen = false;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" | "help" => return Err(ArgsError::Help),
            "--config" => {
                out.config = Some(
                    it.next()
                        .ok_or(ArgsError::Invalid("--config needs a path".into()))?
                        .into(),
                );
            }
            flag if flag.starts_with("--") && known.contains(&&flag[2..]) => {
                let value = it
                    .next()
                    .ok_or_else(|| ArgsError::Invalid(format!("{flag} needs a value")))?;
                out.options.insert(flag[2..].to_string(), value);
            }
            cmd if !command_seen && !cmd.starts_with('-') => {
                out.command = cmd.to_string();
                command_seen = true;
            }
            other => return Err(ArgsError::Invalid(format!("unexpected argument {other:?}"))),
        }
    }
    Ok(out)
}

/// The whole `main` of a service binary: set up logging, parse the arguments, load the
/// configuration, run the command. Usage errors exit 2 with the usage; a configuration
/// error exits 2 with its message; a failed command exits 1.
pub fn main<C>(
    name: &str,
    usage: &str,
    known: &[&str],
    load: impl FnOnce(Option<&Path>) -> Result<C, ConfigError>,
    run: impl FnOnce(C, Args) -> Result<(), String>,
) -> ExitCode {
    crate::logging::init();
    let args = match parse(std::env::args().skip(1), known) {
        Ok(a) => a,
        Err(ArgsError::Help) => {
            println!("{usage}");
            return ExitCode::SUCCESS;
        }
        Err(ArgsError::Invalid(msg)) => {
            eprintln!("{name}: {msg}\n{usage}");
            return ExitCode::from(2);
        }
    };
    let config = match load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::from(2);
        }
    };
    match run(config, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_to_serve() {
        let a = parse(args(&[]), &[]).unwrap();
        assert_eq!(a.command, "serve");
        assert!(a.config.is_none());
    }

    #[test]
    fn reads_config_command_and_known_options() {
        let a = parse(
            args(&["--config", "c.toml", "bootstrap", "--env-file", "x.env"]),
            &["env-file"],
        )
        .unwrap();
        assert_eq!(a.config.unwrap().to_str(), Some("c.toml"));
        assert_eq!(a.command, "bootstrap");
        assert_eq!(a.options.get("env-file").map(String::as_str), Some("x.env"));
    }

    #[test]
    fn refuses_unknown_options_and_second_commands() {
        assert!(matches!(
            parse(args(&["--nope", "1"]), &[]),
            Err(ArgsError::Invalid(_))
        ));
        assert!(matches!(
            parse(args(&["serve", "migrate"]), &[]),
            Err(ArgsError::Invalid(_))
        ));
        assert!(matches!(
            parse(args(&["--config"]), &[]),
            Err(ArgsError::Invalid(_))
        ));
        assert_eq!(parse(args(&["--help"]), &[]).unwrap_err(), ArgsError::Help);
    }
}
