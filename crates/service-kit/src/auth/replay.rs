//! A signature is accepted once. The issuer that checks a MAC (iam-svc for permanent
//! keys, lakeformation-svc for temporary ones) records each accepted signature in its
//! database until the receiving service would refuse it as too old anyway, so a captured
//! request cannot be sent again, nor sent again as another action (the Tencent SDKs leave
//! `X-TC-Action` unsigned), on any replica that shares the database.
//!
//! Reads that cannot be turned into anything else may repeat (see
//! [`Replay`]): clients that poll sign the same request within one second.
//!
//! A request whose answer was a failure gives its signature back: the SDKs retry a failed
//! call by sending the same signed request again (huaweicloudsdkcore re-signs within the
//! same second, so the signature is the same).

use chrono::{DateTime, Utc};
use credential_core::digest::sha256_hex;
use diesel::prelude::*;

use super::wire::{Replay, SignatureCheck, SignatureRelease};
use super::AuthError;
use crate::db::{self, DbConnection, DbPool, StoreError};

diesel::table! {
    /// Each service that issues keys creates this table in its own migrations.
    accepted_signatures (digest) {
        digest -> Text,
        valid_until -> Timestamp,
        /// The read action a signature may repeat as; NULL: none, it was accepted once.
        read_as -> Nullable<Text>,
    }
}

/// How long an accepted signature is remembered: a receiving service accepts a signature
/// dated up to its clock skew from now, on either side, and the skew may be configured up
/// to the top of [`SIGNATURE_MAX_SKEW_SECONDS`](crate::config::SIGNATURE_MAX_SKEW_SECONDS),
/// so the same signature can be presented for twice that long.
pub const MEMORY: chrono::Duration =
    chrono::Duration::seconds(2 * *crate::config::SIGNATURE_MAX_SKEW_SECONDS.end() as i64);

/// What identifies an accepted signature: the key and the MAC, hashed.
pub fn digest(access: &str, signature: &str) -> String {
    let mut text = String::with_capacity(access.len() + signature.len() + 1);
    text.push_str(access);
    text.push('\n');
    text.push_str(&signature.trim().to_ascii_lowercase());
    sha256_hex(text.as_bytes())
}

/// Record the signature of a check whose MAC matched, by its [`Replay`] rule:
/// `SignatureReplayed` when it was accepted before and may not be again. On SQLite it
/// joins the process's writer, so a burst of signed requests commits together.
pub async fn accept_once(pool: &DbPool, check: &SignatureCheck) -> Result<(), AuthError> {
    let read_as = match &check.replay {
        Replay::Repeatable => return Ok(()),
        Replay::Once => None,
        Replay::ReadAs(action) => Some(action.clone()),
    };
    let digest = digest(&check.access, &check.signature);
    let until = (Utc::now() + MEMORY).naive_utc();
    let fresh = db::write(pool, move |conn| {
        let insert = diesel::insert_into(accepted_signatures::table)
            .values((
                accepted_signatures::digest.eq(&digest),
                accepted_signatures::valid_until.eq(until),
                accepted_signatures::read_as.eq(&read_as),
            ))
            .on_conflict_do_nothing();
        if crate::on_backend!(conn, |c| insert.execute(c))? == 1 {
            return Ok::<_, StoreError>(true);
        }
        // Seen before: only the same read may come again.
        let Some(action) = read_as else {
            return Ok(false);
        };
        let stored: Option<Option<String>> = accepted_signatures::table
            .find(&digest)
            .select(accepted_signatures::read_as)
            .first(conn)
            .optional()?;
        Ok(stored.flatten().as_deref() == Some(action.as_str()))
    })
    .await
    .map_err(unavailable)?;
    if fresh {
        Ok(())
    } else {
        Err(AuthError::SignatureReplayed)
    }
}

/// Give a signature back after its request failed, so the same request may come again.
pub async fn release(pool: &DbPool, release: &SignatureRelease) -> Result<(), AuthError> {
    let digest = digest(&release.access, &release.signature);
    db::write(pool, move |conn| {
        diesel::delete(accepted_signatures::table.find(digest)).execute(conn)?;
        Ok::<_, StoreError>(())
    })
    .await
    .map_err(unavailable)
}

/// Forget signatures no service would accept any more.
pub fn prune(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        accepted_signatures::table.filter(accepted_signatures::valid_until.lt(now.naive_utc())),
    )
    .execute(conn)?)
}

fn unavailable(e: StoreError) -> AuthError {
    AuthError::IssuerUnavailable(e.to_string())
}

/// Prune accepted signatures once a minute for as long as the process runs (on the
/// current actix runtime). Replicas may all prune: deleting twice is harmless.
pub async fn prune_forever(pool: DbPool) {
    loop {
        actix_web::rt::time::sleep(std::time::Duration::from_secs(60)).await;
        let pruned = db::write(&pool, |conn| prune(conn, Utc::now())).await;
        if let Err(e) = pruned {
            log::warn!("pruning accepted signatures failed: {e}");
        }
    }
}
