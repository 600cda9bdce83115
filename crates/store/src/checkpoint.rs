//! Checkpoints on a thread of their own.
//!
//! In WAL mode a commit appends pages to the WAL; a checkpoint copies them into the database
//! file and syncs it. SQLite runs that copy in whichever connection commits past 1,000 pages,
//! so a file of a million records waited at its commit for its own pages (about 275 MB) to be
//! written a second time and synced. Here no connection checkpoints as it commits
//! (`wal_autocheckpoint = 0`, set in `open_connection`): a connection that changed rows
//! signals this thread as it goes back to the pool, and the thread checkpoints (PASSIVE: it
//! never blocks a reader or the writer) while the ingest goes on with its next step.
//!
//! Durability is what `synchronous = NORMAL` in WAL mode always gave: a commit survives a
//! crash of the process at once, and a loss of power once the checkpoint after it is done.
//! Dropping the store waits for the last checkpoint.

use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::{Result, StoreError};

enum Request {
    Checkpoint,
    /// Checkpoint, then answer: everything committed before is in the database file.
    Flush(mpsc::SyncSender<std::result::Result<(), String>>),
}

pub(crate) struct Checkpointer {
    requests: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread, checkpointing through `conn`.
    pub(crate) fn start(conn: Connection) -> Result<Self> {
        let (requests, received) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("hindsight-checkpoint".to_owned())
            .spawn(move || serve(&conn, &received))
            .map_err(|e| StoreError::Checkpoint(format!("cannot start its thread: {e}")))?;
        Ok(Self {
            requests: Some(requests),
            thread: Some(thread),
        })
    }

    /// Asks for a checkpoint soon; returns at once.
    pub(crate) fn request(&self) {
        if let Some(requests) = &self.requests {
            // The thread only stops when this sender is dropped.
            let _ = requests.send(Request::Checkpoint);
        }
    }

    /// Waits until everything committed so far is checkpointed (as far as readers holding
    /// older snapshots allow).
    pub(crate) fn flush(&self) -> Result<()> {
        let (reply, answer) = mpsc::sync_channel(1);
        let sent = self
            .requests
            .as_ref()
            .is_some_and(|requests| requests.send(Request::Flush(reply)).is_ok());
        let stopped = || StoreError::Checkpoint("its thread has stopped".to_owned());
        if !sent {
            return Err(stopped());
        }
        answer
            .recv()
            .map_err(|_| stopped())?
            .map_err(StoreError::Checkpoint)
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Closing the channel ends the thread after a last checkpoint.
        self.requests.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers requests until the store is dropped; requests that queued up while a checkpoint
/// ran are answered by one more.
fn serve(conn: &Connection, received: &mpsc::Receiver<Request>) {
    while let Ok(first) = received.recv() {
        let mut replies = Vec::new();
        for request in std::iter::once(first).chain(received.try_iter()) {
            if let Request::Flush(reply) = request {
                replies.push(reply);
            }
        }
        let result = checkpoint(conn).map_err(|e| e.to_string());
        for reply in replies {
            let _ = reply.send(result.clone());
        }
    }
    let _ = checkpoint(conn);
}

fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    // The pragma answers with a row (busy, WAL pages, pages checkpointed).
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

#[cfg(test)]
mod tests {
    use crate::Store;

    /// The services in the database file alone, as a copy would hold it without its WAL: what
    /// a loss of power would leave once the OS has written what was synced. Empty while the
    /// file cannot answer yet (its schema still only in the WAL).
    fn services_in_file_alone(store: &Store, dir: &std::path::Path) -> Vec<String> {
        let copy = dir.join("copy.sqlite");
        std::fs::copy(store.path(), &copy).expect("copy");
        let names = {
            let conn = rusqlite::Connection::open(&copy).expect("open copy");
            conn.prepare("SELECT name FROM services ORDER BY name")
                .and_then(|mut stmt| {
                    stmt.query_map([], |row| row.get(0))?
                        .collect::<rusqlite::Result<Vec<String>>>()
                })
                .unwrap_or_default()
        };
        std::fs::remove_file(&copy).expect("remove copy");
        names
    }

    fn add_service(store: &Store, name: &str) {
        store
            .connection()
            .expect("conn")
            .execute("INSERT INTO services(name) VALUES (?1)", [name])
            .expect("insert");
    }

    #[test]
    fn commits_leave_checkpoints_to_the_store_thread_and_reach_the_file_through_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("h.sqlite")).expect("open");
        let autocheckpoint: i64 = store
            .connection()
            .expect("conn")
            .query_row("PRAGMA wal_autocheckpoint", [], |row| row.get(0))
            .expect("pragma");
        assert_eq!(autocheckpoint, 0, "no connection checkpoints as it commits");

        // Once the checkpoint asked for at open is done, a write asks for one as its
        // connection goes back: the row reaches the file with no call to wait for it.
        store.checkpoint().expect("checkpoint of the migrations");
        add_service(&store, "checkout");
        let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while services_in_file_alone(&store, dir.path()).is_empty() {
            assert!(
                std::time::Instant::now() < until,
                "no background checkpoint"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(services_in_file_alone(&store, dir.path()), ["checkout"]);

        // Each write asks again; a flush waits for everything committed before it.
        add_service(&store, "payments");
        add_service(&store, "auth");
        store.checkpoint().expect("checkpoint");
        assert_eq!(
            services_in_file_alone(&store, dir.path()),
            ["auth", "checkout", "payments"]
        );
    }

    #[test]
    fn a_closed_store_has_every_commit_in_its_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.sqlite");
        let store = Store::open(&path).expect("open");
        add_service(&store, "ledger");
        drop(store);
        assert!(!dir.path().join("h.sqlite-wal").exists(), "WAL folded in");
        let conn = rusqlite::Connection::open(&path).expect("open");
        let name: String = conn
            .query_row("SELECT name FROM services", [], |row| row.get(0))
            .expect("row");
        assert_eq!(name, "ledger");
    }
}
