//! Group commit for SQLite: one thread runs every write of the process, several to a
//! transaction.
//!
//! SQLite admits one writer at a time and, with `synchronous = FULL`, pays one fsync per
//! commit, so a process that commits each request's write on its own can never write
//! faster than the disk syncs, and its waiting writers sleep in the busy handler with
//! growing back-off. Here writers queue instead: the thread takes every write waiting,
//! runs each in a savepoint of one `BEGIN IMMEDIATE` transaction, commits once, and only
//! then answers each caller. A write that fails rolls back to its savepoint and leaves the
//! others in; a commit that fails fails them all. Nobody hears "done" before the fsync,
//! so a write is exactly as durable as before, and the writes of a batch take effect in
//! queue order, as if one after another.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::SqliteConnection;
use tokio::sync::oneshot;

use super::connection::Manager;
use super::error::take_lost;
use super::{DbConnection, StoreError};

/// The writer's page cache, in KiB.
const WRITER_CACHE_KIB: u32 = 16 * 1024;

/// Most writes one transaction takes, so a long queue still commits now and then.
const MAX_BATCH: usize = 256;

/// How often the checkpointer copies the write-ahead log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// WAL pages after which a commit checkpoints by itself, as SQLite does at 1000 by
/// default: only reached when the checkpointer falls behind, and it bounds the log.
const WRITER_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Where the process's writes queue; cloned into every handle of the pool.
#[derive(Clone)]
pub(super) struct Writer {
    queue: mpsc::Sender<Box<dyn Job>>,
    /// Dropped with the last `Writer`, which stops the checkpointer.
    _checkpointer: Option<mpsc::Sender<()>>,
}

impl Writer {
    /// Start the writing thread; it stops when the last `Writer` is dropped.
    ///
    /// On a file it writes through a connection of its own, whose page cache stays valid
    /// from batch to batch because no other connection of the process writes. A memory
    /// database's pool may hold its only connection, so there it borrows one per batch.
    pub(super) fn start(
        manager: &Manager,
        pool: r2d2::Pool<Manager>,
    ) -> Result<Writer, StoreError> {
        let memory = manager.is_in_memory();
        let mut own = if memory {
            None
        } else {
            Some(open_own(manager)?)
        };
        let checkpointer = if memory {
            None
        } else {
            Some(start_checkpointer(manager)?)
        };
        let manager = manager.clone();
        let (queue, jobs) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                while let Ok(first) = jobs.recv() {
                    let mut batch = vec![first];
                    batch.extend(jobs.try_iter().take(MAX_BATCH - 1));
                    if memory {
                        match pool.get() {
                            Ok(mut conn) => commit_batch(&mut conn, batch),
                            Err(e) => fail_all(batch, e.into()),
                        }
                        continue;
                    }
                    if own.is_none() {
                        match open_own(&manager) {
                            Ok(conn) => own = Some(conn),
                            Err(e) => {
                                fail_all(batch, e);
                                continue;
                            }
                        }
                    }
                    if let Some(conn) = own.as_mut() {
                        take_lost();
                        commit_batch(conn, batch);
                        // The file went away or read-only under this handle: the next
                        // batch opens the file as it is then.
                        if take_lost() {
                            log::warn!("the writer's connection failed; reopening it");
                            own = None;
                        }
                    }
                }
            })
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer: {e}")))?;
        Ok(Writer {
            queue,
            _checkpointer: checkpointer,
        })
    }

    /// Queue `f` and wait until its batch has committed.
    pub(super) async fn submit<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Box::new(Pending { f, reply }))
            .map_err(|_| E::from(StoreError::Unavailable("the writer has stopped".into())))?;
        answer
            .await
            .map_err(|_| E::from(StoreError::Other("the write was lost".into())))?
    }
}

/// The writer's own connection to a file, with its larger page cache.
fn open_own(manager: &Manager) -> Result<DbConnection, StoreError> {
    let mut conn = manager
        .connect()
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    // Every insert touches each index of its table at a random place (ids and digests
    // are random): a page cache larger than SQLite's 2 MiB default keeps those pages at
    // hand. It fills only as far as the database is used.
    conn.batch_execute(&format!(
        "PRAGMA cache_size = -{WRITER_CACHE_KIB}; \
         PRAGMA wal_autocheckpoint = {WRITER_AUTOCHECKPOINT_PAGES};"
    ))?;
    Ok(conn)
}

/// Checkpoint the write-ahead log every [`CHECKPOINT_EVERY`] on a thread and connection of
/// its own until the returned sender is dropped.
///
/// SQLite checkpoints in the commit that takes the log past 1000 pages, so the writer, the
/// one thread every write of the process waits for, would copy pages into the database
/// file and sync it in the middle of its batches (about an eighth of its time under a
/// steady load of creates). A passive checkpoint never waits for or blocks the writer or
/// the readers; what it cannot copy yet (pages a reader still needs) waits for the next.
fn start_checkpointer(manager: &Manager) -> Result<mpsc::Sender<()>, StoreError> {
    let mut conn = Some(
        manager
            .connect()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?,
    );
    let manager = manager.clone();
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY)
            {
                if conn.is_none() {
                    conn = manager.connect().ok();
                }
                let Some(c) = conn.as_mut() else { continue };
                if let Err(e) = c.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
                    take_lost();
                    let e = StoreError::from(e);
                    log::warn!("checkpointing the write-ahead log failed: {e}");
                    // As for the writer: a handle on a file gone bad is opened again.
                    if take_lost() {
                        conn = None;
                    }
                }
            }
        })
        .map_err(|e| StoreError::Unavailable(format!("cannot start the checkpointer: {e}")))?;
    Ok(stop)
}

/// A queued write, type-erased so writes of every result type share the queue.
trait Job: Send {
    /// Run the write in a savepoint; what it returns is told to the caller at commit.
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Finished>;
    /// The batch never started (no connection, no transaction).
    fn fail(self: Box<Self>, cause: StoreError);
}

/// A write that ran, waiting for its batch's commit.
trait Finished: Send {
    fn commit_outcome(self: Box<Self>, commit: Result<(), StoreError>);
}

struct Pending<F, T, E> {
    f: F,
    reply: oneshot::Sender<Result<T, E>>,
}

struct Ran<T, E> {
    outcome: Result<T, E>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Job for Pending<F, T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Finished> {
        let Pending { f, reply } = *self;
        let outcome = in_savepoint(conn, f);
        Box::new(Ran { outcome, reply })
    }

    fn fail(self: Box<Self>, cause: StoreError) {
        let _ = self.reply.send(Err(E::from(cause)));
    }
}

impl<T: Send, E: From<StoreError> + Send> Finished for Ran<T, E> {
    fn commit_outcome(self: Box<Self>, commit: Result<(), StoreError>) {
        let answer = match (self.outcome, commit) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(cause)) => Err(E::from(cause)),
            // Its own refusal explains more than the batch's failure does.
            (Err(refused), _) => Err(refused),
        };
        // The caller may have gone (a dropped request); its write stands regardless.
        let _ = self.reply.send(answer);
    }
}

/// Run `f` in a savepoint: kept when it succeeds, undone when it fails or panics.
fn in_savepoint<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<StoreError>,
{
    AnsiTransactionManager::begin_transaction(sqlite(conn)).map_err(|e| E::from(e.into()))?;
    let outcome = catch_unwind(AssertUnwindSafe(|| f(conn)))
        .unwrap_or_else(|_| Err(E::from(StoreError::Other("the write panicked".into()))));
    match outcome {
        Ok(value) => match AnsiTransactionManager::commit_transaction(sqlite(conn)) {
            Ok(()) => Ok(value),
            Err(e) => {
                undo(conn);
                Err(E::from(e.into()))
            }
        },
        Err(refused) => {
            undo(conn);
            Err(refused)
        }
    }
}

fn undo(conn: &mut DbConnection) {
    if let Err(e) = AnsiTransactionManager::rollback_transaction(sqlite(conn)) {
        log::error!("rolling back a write failed: {e}");
    }
}

fn commit_batch(conn: &mut DbConnection, batch: Vec<Box<dyn Job>>) {
    if let Err(e) = AnsiTransactionManager::begin_transaction_sql(sqlite(conn), "BEGIN IMMEDIATE") {
        return fail_all(batch, e.into());
    }
    let ran: Vec<Box<dyn Finished>> = batch.into_iter().map(|job| job.run(conn)).collect();
    let commit = AnsiTransactionManager::commit_transaction(sqlite(conn)).map_err(|e| {
        if let Err(rollback) = AnsiTransactionManager::rollback_transaction(sqlite(conn)) {
            log::error!("rolling back a failed commit failed: {rollback}");
        }
        StoreError::from(e)
    });
    for finished in ran {
        finished.commit_outcome(commit.clone());
    }
}

fn fail_all(batch: Vec<Box<dyn Job>>, cause: StoreError) {
    for job in batch {
        job.fail(cause.clone());
    }
}

/// The writer exists only for SQLite pools.
fn sqlite(conn: &mut DbConnection) -> &mut SqliteConnection {
    match conn {
        DbConnection::Sqlite(inner) => inner,
        DbConnection::Postgresql(_) => unreachable!("the writer is started for SQLite only"),
    }
}
