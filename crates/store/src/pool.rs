//! A minimal connection pool: idle connections wait in a vector; a checkout opens a new
//! connection only when none is idle. SQLite in WAL mode lets these read concurrently. A
//! connection that changed rows while on loan asks for a checkpoint as it comes back.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::Connection;

use crate::checkpoint::Checkpointer;
use crate::{open_connection, Result};

/// Connections kept open when idle; more may be open while in use.
const MAX_IDLE: usize = 4;

pub(crate) struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    checkpointer: Checkpointer,
}

impl Pool {
    pub(crate) fn new(path: PathBuf, first: Connection, checkpointer: Checkpointer) -> Self {
        Self {
            path,
            idle: Mutex::new(vec![first]),
            checkpointer,
        }
    }

    pub(crate) fn checkpointer(&self) -> &Checkpointer {
        &self.checkpointer
    }

    pub(crate) fn get(&self) -> Result<PooledConnection<'_>> {
        let reused = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let conn = match reused {
            Some(conn) => conn,
            None => open_connection(&self.path)?,
        };
        Ok(PooledConnection {
            pool: self,
            changes_at_loan: conn.total_changes(),
            conn: Some(conn),
        })
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }
}

/// A connection on loan from the store's pool.
pub struct PooledConnection<'a> {
    pool: &'a Pool,
    conn: Option<Connection>,
    /// The connection's count of changed rows when it was lent.
    changes_at_loan: u64,
}

impl Deref for PooledConnection<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Only `drop` takes the connection out.
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("connection used after drop"))
    }
}

impl DerefMut for PooledConnection<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("connection used after drop"))
    }
}

impl Drop for PooledConnection<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if conn.total_changes() != self.changes_at_loan {
                self.pool.checkpointer.request();
            }
            // A connection left inside a transaction (a panic mid-ingest) is not reused.
            if conn.is_autocommit() {
                self.pool.give_back(conn);
            }
        }
    }
}
