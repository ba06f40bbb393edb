//! Configuration files: TOML read by `service_kit::config::load` (defaults, then the file)
//! into each service's configuration type and validated, as each binary does with its
//! `--config` file. Property: no panic, whatever the file holds.
//!
//! The first byte picks the service; the rest is written to a file of this process and
//! loaded through the real path (a file, not a string), so what a file read adds is
//! covered too. The services' environment variables (`IAM__…`) must not be set.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        std::env::temp_dir().join(format!("config-fuzz-{}.toml", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, toml)) = data.split_first() else {
        return;
    };
    let path = file();
    if let Err(e) = std::fs::write(path, toml) {
        panic!("cannot write {}: {e}", path.display());
    }
    let path = Some(path.as_path());
    match which % 4 {
        0 => drop(iam_svc::config::IamConfig::load(path)),
        1 => drop(swr_svc::config::SwrConfig::load(path)),
        2 => drop(tcr_svc::config::TcrConfig::load(path)),
        _ => drop(lakeformation_svc::config::LfConfig::load(path)),
    }
});
