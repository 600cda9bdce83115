//! Deployments appended after everything stored, as a new week of deploy logs is: what follows
//! from them can be worked out from them alone, so that the cost of a regular import follows
//! the file rather than the store.

use std::collections::BinaryHeap;

use rusqlite::{params, OptionalExtension};

use crate::read::{deployment_row, each_row, DEPLOYMENT_COLUMNS};
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
    /// The deployments the ingest runs `runs` stored, when each run stored only deployments,
    /// each new, in time order and at or after every deployment stored before it
    /// (`ingest_runs.deployments_appended`, worked out as the run wrote them), and no later run
    /// wrote a deployment. Otherwise `None`.
    ///
    /// What a deployment shipped and the suspect links of the deployments stored before are
    /// then what they were: a walk over deployments in time order reaches these last.
    pub fn appended_deployments(&self, runs: &[i64]) -> Result<Option<AppendedDeployments>> {
        let conn = self.connection()?;
        let read = conn.unchecked_transaction()?;
        let mut first_before: Option<i64> = None;
        for run in runs {
            let (appended, before): (bool, Option<i64>) = read
                .query_row(
                    "SELECT deployments_appended, deployments_before FROM ingest_runs
                     WHERE id = ?1",
                    [run],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?
                .unwrap_or((false, None));
            let Some(before) = before.filter(|_| appended) else {
                return Ok(None);
            };
            first_before = Some(first_before.map_or(before, |first| first.min(before)));
        }
        let Some(before) = first_before else {
            return Ok(None);
        };
        // A later run that wrote deployments may have written after them, or over them.
        let placeholders = vec!["?"; runs.len()].join(", ");
        let (others_wrote, first_at, earlier): (bool, Option<String>, bool) = read.query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM ingest_runs
                                WHERE id > (SELECT min(id) FROM ingest_runs
                                            WHERE id IN ({placeholders}))
                                  AND id NOT IN ({placeholders})
                                  AND coalesce(deployments_written, 1) > 0),
                        (SELECT at FROM deployments WHERE id = ?{n} + 1),
                        EXISTS (SELECT 1 FROM deployments WHERE id <= ?{n})",
                n = 2 * runs.len() + 1
            ),
            rusqlite::params_from_iter(runs.iter().chain(runs).chain([&before])),
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        Ok(first_at
            .filter(|_| !others_wrote)
            .map(|first_at| AppendedDeployments {
                first_id: before + 1,
                first_at,
                earlier,
            }))
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
        each_row(&conn, &sql, [first_id], &mut each)
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
