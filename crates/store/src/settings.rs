//! The user's settings as plain key/value text; `api` gives the keys their meaning.

use std::collections::BTreeMap;

use rusqlite::params;

use crate::{Result, Store};

impl Store {
    /// Every stored setting, sorted by key.
    pub fn settings(&self) -> Result<BTreeMap<String, String>> {
        let conn = self.connection()?;
        let mut stmt = conn.prepare("SELECT key, value FROM settings ORDER BY key")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes every `(key, Some(value))` and deletes every `(key, None)` in one transaction.
    pub fn write_settings(&self, changes: &[(&str, Option<&str>)]) -> Result<()> {
        let mut conn = self.connection()?;
        let tx = conn.transaction()?;
        for (key, value) in changes {
            match value {
                Some(value) => tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value],
                )?,
                None => tx.execute("DELETE FROM settings WHERE key = ?1", params![key])?,
            };
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[test]
    fn settings_are_written_replaced_deleted_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.sqlite");
        let store = Store::open(&path).expect("open");
        assert!(store.settings().expect("read").is_empty());
        store
            .write_settings(&[("link_window_hours", Some("24")), ("theme", Some("dark"))])
            .expect("write");
        store
            .write_settings(&[("link_window_hours", Some("48")), ("theme", None)])
            .expect("update");
        drop(store);
        let store = Store::open(&path).expect("reopen");
        let settings = store.settings().expect("read");
        assert_eq!(
            settings.into_iter().collect::<Vec<_>>(),
            vec![("link_window_hours".to_owned(), "48".to_owned())]
        );
    }
}
