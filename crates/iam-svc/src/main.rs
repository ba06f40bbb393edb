//! `iam-svc [--config PATH] [serve|migrate|bootstrap [--env-file PATH]|gen-keys]`

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use actix_web::web;
use iam_svc::bootstrap::{self, AdminPassword};
use iam_svc::config::IamConfig;
use iam_svc::state::{AppState, Keys};
use iam_svc::{app, MIGRATIONS};
use service_kit::auth::InternalCredential;
use service_kit::cli;
use service_kit::clock::Clock;
use service_kit::db::{self, DbPool};
use service_kit::http::Metrics;
use service_kit::keyfiles::{self, PrivateWrite};
const USAGE: &str = "usage: iam-svc [--config PATH] [serve | migrate | bootstrap [--env-file PATH] | gen-keys | rotate-master-key | reseal-access-keys | disable-domain --domain NAME | enable-domain --domain NAME]

  serve       run the HTTP service (default)
  migrate     apply pending database migrations and exit
  bootstrap   create the first domain, admin user, project and admin group (idempotent);
              with --env-file, reuse the admin password stored there or write a new one
  gen-keys    create missing key files named in the configuration, then exit
  rotate-master-key
              put a new master key first in the master key file (older keys stay, so
              existing secrets still open); then restart every replica
  reseal-access-keys
              after every replica runs with the new file: re-seal every secret access key
              under the first key, so older keys can be removed from the file
  disable-domain --domain NAME
              disable a domain (account): its users can no longer log in, and every
              credential of theirs is revoked everywhere within one feed poll
  enable-domain --domain NAME
              enable a disabled domain again (revoked credentials stay revoked)

Configuration: built-in defaults < --config FILE < IAM__SECTION__KEY environment variables.";

fn main() -> ExitCode {
    cli::main(
        "iam-svc",
        USAGE,
        &["env-file", "domain"],
        IamConfig::load,
        |config, args| match args.command.as_str() {
            "serve" => serve(config),
            "migrate" => migrate(&config).map(|_| ()),
            "bootstrap" => run_bootstrap(&config, args.options.get("env-file").map(Path::new)),
            "gen-keys" => gen_keys(&config),
            "rotate-master-key" => rotate_master_key(&config),
            "reseal-access-keys" => reseal_access_keys(&config),
            "disable-domain" => set_domain_enabled(&config, args.options.get("domain"), false),
            "enable-domain" => set_domain_enabled(&config, args.options.get("domain"), true),
            other => Err(format!("unknown command {other:?}\n{USAGE}")),
        },
    )
}

fn migrate(cfg: &IamConfig) -> Result<DbPool, String> {
    db::open(&cfg.database, &MIGRATIONS, true).map_err(|e| e.to_string())
}

fn gen_keys(cfg: &IamConfig) -> Result<(), String> {
    if !cfg.tokens.signing_key_file.exists() {
        keyfiles::generate_signing_key_file(&cfg.tokens.signing_key_file)
            .map_err(|e| e.to_string())?;
    }
    keyfiles::load_internal_credential(
        &cfg.internal.credential_file,
        service_kit::config::Mode::Development,
    )
    .map_err(|e| e.to_string())?;
    keyfiles::load_signing_keys(&cfg.tokens.signing_key_file, cfg.mode)
        .map_err(|e| e.to_string())?;
    keyfiles::load_master_keyring(
        &cfg.access_keys.master_key_file,
        service_kit::config::Mode::Development,
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

fn rotate_master_key(cfg: &IamConfig) -> Result<(), String> {
    let path = &cfg.access_keys.master_key_file;
    // Open everything with the current file first, so a broken file stops us early.
    keyfiles::load_master_keyring(path, service_kit::config::Mode::Production)
        .map_err(|e| e.to_string())?;
    let kid = iam_svc::rotation::prepend_new_master_key(path)?;
    println!(
        "rotate-master-key: {kid} is now first in {}",
        path.display()
    );
    println!(
        "next: copy the file to every replica, restart them, then run `iam-svc reseal-access-keys`"
    );
    Ok(())
}

fn reseal_access_keys(cfg: &IamConfig) -> Result<(), String> {
    let keyring = keyfiles::load_master_keyring(
        &cfg.access_keys.master_key_file,
        service_kit::config::Mode::Production,
    )
    .map_err(|e| e.to_string())?;
    let pool = migrate(cfg)?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("database unavailable: {e}"))?;
    let n =
        iam_svc::rotation::reseal_access_keys(&mut conn, &keyring).map_err(|e| e.to_string())?;
    println!(
        "reseal-access-keys: re-sealed {n} secret key(s) under {}",
        keyring.current_id()
    );
    Ok(())
}

fn set_domain_enabled(cfg: &IamConfig, name: Option<&String>, enabled: bool) -> Result<(), String> {
    let name = name.ok_or_else(|| format!("--domain NAME is required\n{USAGE}"))?;
    let pool = migrate(cfg)?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("database unavailable: {e}"))?;
    let domain =
        iam_svc::domains::set_enabled(&mut conn, name, enabled, Clock::system().stored_now())
            .map_err(|e| e.to_string())?;
    let state = if domain.enabled {
        "enabled"
    } else {
        "disabled"
    };
    println!("domain {} ({}) is {state}", domain.name, domain.id);
    Ok(())
}

fn run_bootstrap(cfg: &IamConfig, env_file: Option<&Path>) -> Result<(), String> {
    let pool = migrate(cfg)?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("database unavailable: {e}"))?;
    let stored = env_file
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| bootstrap::password_from_env_file(&text));
    let wanted = match (stored, env_file) {
        (Some(pw), _) => AdminPassword::Ensure(pw),
        // An env file is wanted but holds no password: set a fresh one so it can be written.
        (None, Some(_)) => {
            AdminPassword::Ensure(bootstrap::generate_password().map_err(|e| e.to_string())?)
        }
        (None, None) => AdminPassword::Keep,
    };
    let done = bootstrap::run(&mut conn, cfg, wanted, Clock::system().stored_now())
        .map_err(|e| e.to_string())?;
    match (&done.password_set, env_file) {
        (Some(pw), Some(path)) => {
            write_env_file(path, &bootstrap::env_file(cfg, &done, pw))?;
            println!("bootstrap: admin credentials are in {}", path.display());
        }
        (Some(pw), None) => {
            println!(
                "bootstrap: created domain {}, user {}, project {}",
                bootstrap::DOMAIN,
                bootstrap::USER,
                bootstrap::PROJECT
            );
            println!("bootstrap: admin password (shown once): {}", pw.expose());
        }
        (None, _) => println!("bootstrap: already done; the admin password is unchanged"),
    }
    println!("  domain  {} ({})", bootstrap::DOMAIN, done.domain_id);
    println!("  user    {} ({})", bootstrap::USER, done.user_id);
    println!("  project {} ({})", bootstrap::PROJECT, done.project_id);
    Ok(())
}

/// The admin's credentials, readable by the owner alone; an older file is replaced whole.
fn write_env_file(path: &Path, text: &str) -> Result<(), String> {
    keyfiles::write_private(path, text.as_bytes(), PrivateWrite::ReplaceAtomically)
        .map_err(|e| e.to_string())
}

fn serve(cfg: IamConfig) -> Result<(), String> {
    let pool = db::open(&cfg.database, &MIGRATIONS, cfg.database.migrate_on_start)
        .map_err(|e| e.to_string())?;
    let signing = keyfiles::load_signing_keys(&cfg.tokens.signing_key_file, cfg.mode)
        .map_err(|e| e.to_string())?;
    let internal = keyfiles::load_internal_credential(&cfg.internal.credential_file, cfg.mode)
        .map_err(|e| e.to_string())?;
    let master = keyfiles::load_master_keyring(&cfg.access_keys.master_key_file, cfg.mode)
        .map_err(|e| e.to_string())?;
    let server_config = cfg.server.clone();
    let keys = Keys {
        signing,
        master,
        internal: InternalCredential::new(internal),
    };
    let last = pool.clone();
    let state = Arc::new(AppState::new(cfg, pool, keys));
    let metrics = web::Data::new(Metrics::new("iam-svc"));
    let served = actix_web::rt::System::new().block_on(async move {
        state
            .sync_revocations()
            .await
            .map_err(|e| format!("cannot read revocations: {e}"))?;
        actix_web::rt::spawn(state.clone().run_revocation_sync());
        actix_web::rt::spawn(service_kit::auth::replay::prune_forever(state.pool.clone()));
        let data = web::Data::from(state);
        service_kit::http::serve("iam-svc", &server_config, move || {
            app::build(data.clone(), metrics.clone())
        })
        .await
    });
    last.release();
    served
}
