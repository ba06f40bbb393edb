//! A signature is accepted once. The issuer that checks a MAC (iam-svc for permanent
//! keys, lakeformation-svc for temporary ones) records each accepted signature in its
//! database until the receiving service would refuse it as too old anyway, so a captured
//! request cannot be sent again, nor sent again as another action (the Tencent SDKs leave
//! `X-TC-Action` unsigned), on any replica that shares the database.
//!
//! Reads may repeat (see [`Replay`]): clients that poll sign the same request within one
//! second, and a read gives nothing away that its signer could not read. Writes repeat
//! only within [`SAME_SECOND_GRACE`] of the first: the SDKs sign to the second. A request
//! that carries a nonce (Tencent's v1 signature) is recorded by its key and nonce instead
//! ([`nonce_digest`]) and is accepted once, with no grace: the nonce is what tells two
//! requests of one second apart.
//!
//! A request whose answer was a failure gives its signature back: the SDKs retry a failed
//! call by sending the same signed request again (huaweicloudsdkcore re-signs within the
//! same second, so the signature is the same).

use chrono::{DateTime, NaiveDateTime, Utc};
use credential_core::digest::sha256_hex;
use diesel::prelude::*;

use super::wire::{Replay, SignatureCheck, SignatureRelease};
use super::AuthError;
use crate::clock::Clock;
use crate::db::{self, DbConnection, DbPool, StoreError};

diesel::table! {
    /// Each service that issues keys creates this table in its own migrations.
    accepted_signatures (digest) {
        digest -> Text,
        valid_until -> Timestamp,
        /// Requests accepted with it and not given back.
        uses -> Integer,
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

/// What identifies a used nonce: the key and the nonce (with its timestamp), hashed, and
/// marked so that no signature's digest can equal it.
pub fn nonce_digest(access: &str, nonce: &str) -> String {
    let mut text = String::with_capacity(access.len() + nonce.len() + 7);
    text.push_str(access);
    text.push_str("\nnonce\n");
    text.push_str(nonce);
    sha256_hex(text.as_bytes())
}

/// How long after a signature was first accepted it is still accepted again. Both SDKs
/// date their signatures to the second and add no nonce, so two requests a client makes
/// within one second with the same body carry the same signature (for TC3, whatever their
/// actions: the action is not signed): a create and a delete of the same registry, two
/// temporary tokens in a loop. Within this grace they are that client's own requests; a
/// replay of captured traffic comes later, and is refused.
pub const SAME_SECOND_GRACE: chrono::Duration = chrono::Duration::seconds(2);

/// Record the signature of a check whose MAC matched, by its [`Replay`] rule:
/// `SignatureReplayed` for a write whose signature was first accepted, for anything, more
/// than [`SAME_SECOND_GRACE`] ago. On SQLite it joins the process's writer, so a burst of
/// signed requests commits together.
pub async fn accept_once(pool: &DbPool, check: &SignatureCheck) -> Result<(), AuthError> {
    accept_once_at(pool, check, Clock::system().now()).await
}

/// [`accept_once`] at `now`: the issuer's own clock, so a test moves the grace and the
/// memory with it.
pub async fn accept_once_at(
    pool: &DbPool,
    check: &SignatureCheck,
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    // A nonce is used once outright; a signature without one gets the grace of its rule.
    let (digest, write, grace) = match &check.replay {
        Replay::Repeatable => return Ok(()),
        Replay::Once => (
            digest(&check.access, &check.signature),
            true,
            Some(SAME_SECOND_GRACE),
        ),
        Replay::Read => (
            digest(&check.access, &check.signature),
            false,
            Some(SAME_SECOND_GRACE),
        ),
        Replay::Unique(nonce) => (nonce_digest(&check.access, nonce), true, None),
    };
    let now = now.naive_utc();
    let accepted = db::write(pool, move |conn| {
        let insert = diesel::insert_into(accepted_signatures::table)
            .values((
                accepted_signatures::digest.eq(&digest),
                accepted_signatures::valid_until.eq(now + MEMORY),
                accepted_signatures::uses.eq(1),
            ))
            .on_conflict_do_nothing();
        if crate::on_backend!(conn, |c| insert.execute(c))? == 1 {
            return Ok::<_, StoreError>(true);
        }
        let row = accepted_signatures::table.find(&digest);
        let until: Option<NaiveDateTime> = row
            .select(accepted_signatures::valid_until)
            .first(conn)
            .optional()?;
        let first_accepted = until.map(|until| until - MEMORY);
        let again = !write
            || first_accepted
                .zip(grace)
                .is_some_and(|(at, grace)| now - at <= grace);
        if again {
            diesel::update(row)
                .set(accepted_signatures::uses.eq(accepted_signatures::uses + 1))
                .execute(conn)?;
        }
        Ok(again)
    })
    .await
    .map_err(unavailable)?;
    if accepted {
        Ok(())
    } else {
        Err(AuthError::SignatureReplayed)
    }
}

/// Give a signature back after its request failed, so the same request may come again.
/// Only this request's use goes: while another accepted with the same signature stands
/// (the same second's successful request), a replay stays refused.
pub async fn release(pool: &DbPool, release: &SignatureRelease) -> Result<(), AuthError> {
    let digest = digest(&release.access, &release.signature);
    db::write(pool, move |conn| {
        let row = accepted_signatures::table.find(&digest);
        diesel::update(row)
            .set(accepted_signatures::uses.eq(accepted_signatures::uses - 1))
            .execute(conn)?;
        diesel::delete(row.filter(accepted_signatures::uses.le(0))).execute(conn)?;
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
        let now = Clock::system().now();
        let pruned = db::write(&pool, move |conn| prune(conn, now)).await;
        if let Err(e) = pruned {
            log::warn!("pruning accepted signatures failed: {e}");
        }
    }
}
