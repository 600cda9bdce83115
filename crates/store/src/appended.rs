//! Deployments appended after everything stored, as a new week of deploy logs is: what follows
//! from them can be worked out from them alone, so that the cost of a regular import follows
//! the file rather than the store.

use std::collections::BinaryHeap;

use rusqlite::params;

use crate::events::{deployments_in_time_order, set_refresh_runs, touches_other_records};
use crate::read::{deployment_row, DEPLOYMENT_COLUMNS};
use crate::{DeploymentRow, Result, Store, StoreError};

/// The deployments some ingest runs stored, when they came after every other deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendedDeployments {
    /// The first of them: every deployment from this id on is one of them, and none before.
    pub first_id: i64,
    /// The time of the first of them, the earliest: their times never go back in id order.
    pub first_at: String,
    /// Whether any deployment was stored before them.
    pub earlier: bool,
}

impl Store {
    /// The deployments the ingest runs `runs` stored, when those runs stored nothing else
    /// (no change, incident, status of another deployment or catalog entity), every one of
    /// them is new (none was stored before under its key) and they come after every other
    /// deployment in time order (time, ties by id), in id order. Otherwise `None`.
    ///
    /// What a deployment shipped and the suspect links of the deployments stored before are
    /// then what they were: a walk over deployments in time order reaches these last.
    pub fn appended_deployments(&self, runs: &[i64]) -> Result<Option<AppendedDeployments>> {
        let mut conn = self.connection()?;
        let tx = conn.transaction()?;
        set_refresh_runs(&tx, runs)?;
        let appended = appended_in(&tx);
        tx.execute_batch("DELETE FROM temp.refresh_runs;")?;
        // Nothing but the temporary table was written.
        tx.commit()?;
        appended
    }

    /// The deployments from `first_id` on, in id order, handed to `each` one at a time.
    pub fn for_each_deployment_from<E: From<StoreError>>(
        &self,
        first_id: i64,
        mut each: impl FnMut(DeploymentRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let conn = self.connection()?;
        let sql = format!(
            "SELECT {DEPLOYMENT_COLUMNS} FROM deployments d JOIN services s ON s.id = d.service_id
             WHERE d.id >= ?1 ORDER BY d.id"
        );
        let mut stmt = conn.prepare(&sql).map_err(StoreError::from)?;
        let mut rows = stmt.query([first_id]).map_err(StoreError::from)?;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            each(deployment_row(row).map_err(StoreError::from)?)?;
        }
        Ok(())
    }

    /// The successful deployments with a revision among those before `before_id` of the
    /// services `wanted` accepts (by stored name), latest first (time descending, ties by id
    /// descending), handed to `each` until it returns false. Each service's are read backwards
    /// through the (service, time) index and merged, so finding the revision each service and
    /// environment last ran reads the deployments after it, not the store.
    pub fn for_each_success_backwards<E: From<StoreError>>(
        &self,
        before_id: i64,
        wanted: &dyn Fn(&str) -> bool,
        mut each: impl FnMut(DeploymentRow) -> std::result::Result<bool, E>,
    ) -> std::result::Result<(), E> {
        let conn = self.connection()?;
        let named: Vec<(i64, String)> = conn
            .prepare("SELECT id, name FROM services ORDER BY id")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect()
            })
            .map_err(StoreError::from)?;
        let services: Vec<i64> = named
            .into_iter()
            .filter(|(_, name)| wanted(name))
            .map(|(id, _)| id)
            .collect();
        let sql = format!(
            "SELECT {DEPLOYMENT_COLUMNS}
             FROM deployments d INDEXED BY deployments_service_time
             JOIN services s ON s.id = d.service_id
             WHERE d.service_id = ?1 AND d.id < ?2 AND d.status = 'succeeded'
               AND d.sha IS NOT NULL
             ORDER BY d.at DESC, d.id DESC"
        );
        let mut statements = services
            .iter()
            .map(|_| conn.prepare(&sql))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(StoreError::from)?;
        let mut cursors = statements
            .iter_mut()
            .zip(&services)
            .map(|(stmt, service)| stmt.query(params![service, before_id]))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(StoreError::from)?;
        // The next row of each service, and a heap of their (time, id) to take the latest.
        let mut next: Vec<Option<DeploymentRow>> = Vec::with_capacity(cursors.len());
        let mut heap = BinaryHeap::new();
        for (index, cursor) in cursors.iter_mut().enumerate() {
            let row = next_row(cursor)?;
            if let Some(row) = &row {
                heap.push((row.at.clone(), row.id, index));
            }
            next.push(row);
        }
        while let Some((_, _, index)) = heap.pop() {
            let Some(row) = next[index].take() else {
                continue;
            };
            if !each(row)? {
                break;
            }
            let row = next_row(&mut cursors[index])?;
            if let Some(row) = &row {
                heap.push((row.at.clone(), row.id, index));
            }
            next[index] = row;
        }
        Ok(())
    }
}

fn next_row(rows: &mut rusqlite::Rows<'_>) -> Result<Option<DeploymentRow>> {
    Ok(rows.next()?.map(deployment_row).transpose()?)
}

/// [`Store::appended_deployments`] for the runs in `temp.refresh_runs`.
fn appended_in(tx: &rusqlite::Transaction<'_>) -> Result<Option<AppendedDeployments>> {
    if touches_other_records(tx)? {
        return Ok(None);
    }
    let Some(theirs) = deployments_in_time_order(tx)? else {
        return Ok(None);
    };
    // A deployment stored again keeps its id: one of a run's at or before the last id stored
    // before the run began is not new (unknown for runs stored before that was kept).
    for (run, first_id) in &theirs.firsts {
        let before: Option<i64> = tx.query_row(
            "SELECT deployments_before FROM ingest_runs WHERE id = ?1",
            [run],
            |row| row.get(0),
        )?;
        if before.is_none_or(|before| *first_id <= before) {
            return Ok(None);
        }
    }
    // Another's id after their first means they are not all last.
    let (from_first, earlier): (i64, bool) = tx.query_row(
        "SELECT (SELECT count(*) FROM deployments WHERE id >= ?1),
                EXISTS (SELECT 1 FROM deployments WHERE id < ?1)",
        [theirs.first_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if from_first != theirs.count {
        return Ok(None);
    }
    // The latest of the others, each service's read backwards through its time index. Text
    // order is time order (`format_time`).
    let latest_before: Option<String> = tx.query_row(
        "SELECT max((SELECT max(d.at) FROM deployments d
                     WHERE d.service_id = s.id AND d.id < ?1))
         FROM services s",
        [theirs.first_id],
        |row| row.get(0),
    )?;
    if latest_before.is_some_and(|latest| latest > theirs.first_at) {
        return Ok(None);
    }
    Ok(Some(AppendedDeployments {
        first_id: theirs.first_id,
        first_at: theirs.first_at,
        earlier,
    }))
}
