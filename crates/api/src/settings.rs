//! The user's settings: stored as text in the store, validated and given meaning here. The
//! link window and suspect threshold steer linking and the failure rates; the rules file is
//! loaded on top of the built-in attribution rules; the time zones and theme serve the hosts.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Duration;
use hindsight_analysis::LinkOptions;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::report::SUSPECT_THRESHOLD;
use crate::{load_rules, ApiError, Hindsight, Result};

const TIME_ZONE: &str = "time_zone";
const DISPLAY_TIME_ZONE: &str = "display_time_zone";
const LINK_WINDOW_HOURS: &str = "link_window_hours";
const SUSPECT_THRESHOLD_KEY: &str = "suspect_threshold";
const RULES_FILE: &str = "rules_file";
const THEME: &str = "theme";

/// The longest link window accepted: a suspect a month before impact is no longer a suspect.
const MAX_WINDOW_HOURS: f64 = 24.0 * 31.0;

/// The settings in force.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SettingsDto {
    /// The zone of times written without one (a fixed offset such as `+01:00`, or `UTC`);
    /// used for files read through a column mapping that names no zone.
    pub time_zone: String,
    /// The zone times are shown in: `UTC`, `local` or a fixed offset.
    pub display_time_zone: String,
    /// How far before impact start a deployment counts as a suspect.
    pub link_window_hours: f64,
    /// A top-ranked suspect at or above this score counts as a failure "including suspected".
    pub suspect_threshold: f64,
    /// A user's attribution rules file, loaded on top of the built-in rules.
    pub rules_file: Option<String>,
    /// Where the rules in force came from, built-in first.
    pub rule_sources: Vec<String>,
    /// Why the chosen rules file is not in force, when it is not.
    pub rules_error: Option<String>,
    /// `system`, `light` or `dark`.
    pub theme: String,
}

/// A change to the settings: fields left out keep their value. An empty `rules_file` goes back
/// to the built-in rules alone.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct SettingsUpdate {
    #[ts(optional)]
    pub time_zone: Option<String>,
    #[ts(optional)]
    pub display_time_zone: Option<String>,
    #[ts(optional)]
    pub link_window_hours: Option<f64>,
    #[ts(optional)]
    pub suspect_threshold: Option<f64>,
    #[ts(optional)]
    pub rules_file: Option<String>,
    #[ts(optional)]
    pub theme: Option<String>,
}

/// `UTC`, `Z`, `+HH:MM`, `-HHMM` or `+HH`: the offsets the column mapping accepts too.
fn is_fixed_offset(zone: &str) -> bool {
    let zone = zone.trim();
    if zone.eq_ignore_ascii_case("utc") || zone == "Z" {
        return true;
    }
    let Some(rest) = zone.strip_prefix('+').or_else(|| zone.strip_prefix('-')) else {
        return false;
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let colon_ok = match rest.find(':') {
        None => true,
        Some(at) => at == 2 && rest.len() == 5,
    };
    if !colon_ok || !(digits.len() == 2 || digits.len() == 4) {
        return false;
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let hours: u32 = digits[..2].parse().unwrap_or(99);
    let minutes: u32 = digits.get(2..).and_then(|m| m.parse().ok()).unwrap_or(0);
    hours <= 14 && minutes < 60
}

fn bad(message: String) -> ApiError {
    ApiError::BadInput(message)
}

fn number(stored: &BTreeMap<String, String>, key: &str, default: f64) -> f64 {
    stored
        .get(key)
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .unwrap_or(default)
}

impl Hindsight {
    /// The settings in force, defaults for those never set.
    pub fn settings(&self) -> Result<SettingsDto> {
        let stored = self.store.settings()?;
        let text = |key: &str, default: &str| {
            stored
                .get(key)
                .cloned()
                .unwrap_or_else(|| default.to_owned())
        };
        let rules_file = stored.get(RULES_FILE).cloned();
        let rule_sources = self.rule_sources();
        let rules_error = match &rules_file {
            Some(path) if !rule_sources.contains(path) => Some(
                load_rules(Path::new(path))
                    .err()
                    .map_or_else(|| format!("{path} is not loaded"), |e| e.to_string()),
            ),
            _ => None,
        };
        Ok(SettingsDto {
            time_zone: text(TIME_ZONE, "UTC"),
            display_time_zone: text(DISPLAY_TIME_ZONE, "UTC"),
            link_window_hours: number(
                &stored,
                LINK_WINDOW_HOURS,
                LinkOptions::default().window.num_minutes() as f64 / 60.0,
            ),
            suspect_threshold: number(&stored, SUSPECT_THRESHOLD_KEY, SUSPECT_THRESHOLD),
            rules_file,
            rule_sources,
            rules_error,
            theme: text(THEME, "system"),
        })
    }

    /// Validates and stores a change to the settings, then applies it: a new link window or
    /// threshold recomputes the suspect links, a new rules file re-classifies every change.
    /// Nothing is stored when any field is invalid.
    pub fn update_settings(&self, update: &SettingsUpdate) -> Result<SettingsDto> {
        let mut writes: Vec<(&str, Option<String>)> = Vec::new();
        for (key, zone, local_ok) in [
            (TIME_ZONE, &update.time_zone, false),
            (DISPLAY_TIME_ZONE, &update.display_time_zone, true),
        ] {
            if let Some(zone) = zone {
                let zone = zone.trim();
                let local = local_ok && zone == "local";
                if !local && !is_fixed_offset(zone) {
                    let also = if local_ok { ", local" } else { "" };
                    return Err(bad(format!(
                        "time zone {zone:?} is not a fixed offset: use UTC{also}, or an offset such as +01:00 or -0500"
                    )));
                }
                writes.push((key, Some(zone.to_owned())));
            }
        }
        if let Some(hours) = update.link_window_hours {
            if !(hours.is_finite() && hours > 0.0 && hours <= MAX_WINDOW_HOURS) {
                return Err(bad(format!(
                    "link window {hours} h is out of range: use more than 0 and at most {MAX_WINDOW_HOURS} hours"
                )));
            }
            writes.push((LINK_WINDOW_HOURS, Some(hours.to_string())));
        }
        if let Some(threshold) = update.suspect_threshold {
            if !(threshold.is_finite() && (0.0..=1.0).contains(&threshold)) {
                return Err(bad(format!(
                    "suspect threshold {threshold} is out of range: scores run from 0 to 1"
                )));
            }
            writes.push((SUSPECT_THRESHOLD_KEY, Some(threshold.to_string())));
        }
        let mut new_rules = None;
        if let Some(path) = &update.rules_file {
            let path = path.trim();
            if path.is_empty() {
                writes.push((RULES_FILE, None));
                new_rules = Some((
                    hindsight_attribution::Rules::builtin(),
                    vec!["built-in".to_owned()],
                ));
            } else {
                // Loading it is the validation: a file that does not parse is refused.
                new_rules = Some(load_rules(Path::new(path))?);
                writes.push((RULES_FILE, Some(path.to_owned())));
            }
        }
        if let Some(theme) = &update.theme {
            if !["system", "light", "dark"].contains(&theme.as_str()) {
                return Err(bad(format!(
                    "theme {theme:?} is unknown: use system, light or dark"
                )));
            }
            writes.push((THEME, Some(theme.clone())));
        }
        let before = self.settings()?;
        let pairs: Vec<(&str, Option<&str>)> =
            writes.iter().map(|(k, v)| (*k, v.as_deref())).collect();
        self.store.write_settings(&pairs)?;
        let after = self.settings()?;
        if let Some(rules) = new_rules {
            self.set_rules(rules);
            self.reclassify()?;
            self.refresh_analysis()?;
        } else if after.link_window_hours != before.link_window_hours {
            self.refresh_analysis()?;
        }
        self.settings()
    }

    /// The path of the rules file chosen in the settings, if any.
    pub(crate) fn stored_rules_file(&self) -> Result<Option<String>> {
        Ok(self.store.settings()?.remove(RULES_FILE))
    }

    /// Linking as the settings configure it.
    pub(crate) fn link_options(&self) -> Result<LinkOptions> {
        let default = LinkOptions::default().window.num_minutes() as f64 / 60.0;
        let hours = number(&self.store.settings()?, LINK_WINDOW_HOURS, default);
        Ok(LinkOptions {
            window: Duration::seconds((hours * 3600.0).round() as i64),
            ..LinkOptions::default()
        })
    }

    /// The score at or above which a top-ranked suspect counts as a failure.
    pub(crate) fn suspect_threshold(&self) -> Result<f64> {
        Ok(number(
            &self.store.settings()?,
            SUSPECT_THRESHOLD_KEY,
            SUSPECT_THRESHOLD,
        ))
    }

    /// A column mapping with the settings' zone for zone-less times, unless it names its own.
    pub(crate) fn mapping_with_default_zone(&self, text: &str) -> Result<String> {
        let names_zone = text.lines().any(|line| {
            let line = line.trim_start();
            line.strip_prefix("timezone")
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        });
        let zone = self
            .store
            .settings()?
            .remove(TIME_ZONE)
            .unwrap_or_else(|| "UTC".to_owned());
        if names_zone || zone.eq_ignore_ascii_case("utc") {
            return Ok(text.to_owned());
        }
        // Top-level keys must precede any table, so the zone goes first.
        Ok(format!("timezone = \"{zone}\"\n{text}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> (tempfile::TempDir, Hindsight) {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
        (dir, app)
    }

    #[test]
    fn defaults_are_the_built_in_values() {
        let (_dir, app) = app();
        let settings = app.settings().expect("settings");
        assert_eq!(settings.time_zone, "UTC");
        assert_eq!(settings.display_time_zone, "UTC");
        assert_eq!(settings.link_window_hours, 72.0);
        assert_eq!(settings.suspect_threshold, 0.5);
        assert_eq!(settings.rules_file, None);
        assert_eq!(settings.rule_sources, vec!["built-in".to_owned()]);
        assert_eq!(settings.theme, "system");
    }

    #[test]
    fn updates_persist_across_reopening_and_steer_linking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("h.sqlite");
        let app = Hindsight::open(&db).expect("open");
        let at = chrono::DateTime::from_timestamp(0, 0).expect("time");
        let suspects_line = |app: &Hindsight| -> String {
            let report = app.report(at).expect("report");
            report
                .methodology
                .into_iter()
                .find(|l| l.starts_with("Suspects:"))
                .expect("suspects line")
        };
        let line = suspects_line(&app);
        assert!(line.contains("in the 72 h link window"), "{line}");
        assert!(line.contains("halves every 6 h"), "{line}");
        assert!(line.contains("at or above 0.50"), "{line}");
        let update = SettingsUpdate {
            link_window_hours: Some(6.0),
            suspect_threshold: Some(0.7),
            display_time_zone: Some("local".into()),
            time_zone: Some("+01:00".into()),
            theme: Some("dark".into()),
            ..SettingsUpdate::default()
        };
        let settings = app.update_settings(&update).expect("update");
        assert_eq!(settings.link_window_hours, 6.0);
        assert_eq!(app.link_options().expect("opts").window, Duration::hours(6));
        assert_eq!(app.suspect_threshold().expect("threshold"), 0.7);
        // The report's methodology prints the window and threshold in force.
        let line = suspects_line(&app);
        assert!(line.contains("in the 6 h link window"), "{line}");
        assert!(line.contains("at or above 0.70"), "{line}");
        drop(app);
        let app = Hindsight::open(&db).expect("reopen");
        let settings = app.settings().expect("settings");
        assert_eq!(
            (
                settings.link_window_hours,
                settings.suspect_threshold,
                settings.display_time_zone.as_str(),
                settings.time_zone.as_str(),
                settings.theme.as_str()
            ),
            (6.0, 0.7, "local", "+01:00", "dark")
        );
    }

    #[test]
    fn invalid_values_are_refused_and_nothing_is_stored() {
        let (_dir, app) = app();
        for update in [
            SettingsUpdate {
                link_window_hours: Some(0.0),
                ..SettingsUpdate::default()
            },
            SettingsUpdate {
                suspect_threshold: Some(1.5),
                ..SettingsUpdate::default()
            },
            SettingsUpdate {
                time_zone: Some("Europe/Paris".into()),
                ..SettingsUpdate::default()
            },
            SettingsUpdate {
                theme: Some("blue".into()),
                ..SettingsUpdate::default()
            },
            SettingsUpdate {
                link_window_hours: Some(12.0),
                rules_file: Some("/no/such/rules.toml".into()),
                ..SettingsUpdate::default()
            },
        ] {
            let error = app.update_settings(&update).expect_err("refused");
            assert_eq!(error.kind(), crate::ApiErrorKind::BadInput, "{error}");
        }
        assert_eq!(app.settings().expect("settings").link_window_hours, 72.0);
    }

    /// Classes of the demo's changes by author e-mail.
    fn class_of(app: &Hindsight, email_part: &str) -> Vec<String> {
        let mut classes: Vec<String> = app
            .store
            .load_changes()
            .expect("changes")
            .into_iter()
            .filter(|(_, c)| {
                c.author
                    .as_ref()
                    .is_some_and(|a| a.email.contains(email_part))
            })
            .map(|(id, _)| app.store.change(id).expect("change").class)
            .collect();
        classes.sort();
        classes.dedup();
        classes
    }

    #[test]
    fn a_rules_file_is_validated_loaded_and_reclassifies() {
        let (dir, app) = app();
        app.load_demo(chrono::DateTime::UNIX_EPOCH).expect("demo");
        assert!(class_of(&app, "elif.demir@").contains(&"human".to_owned()));
        let broken = dir.path().join("broken.toml");
        std::fs::write(&broken, "[[ai_tool]]\nid = ").expect("write");
        let error = app
            .update_settings(&SettingsUpdate {
                rules_file: Some(broken.display().to_string()),
                ..SettingsUpdate::default()
            })
            .expect_err("broken rules refused");
        assert!(error.to_string().contains("broken.toml"), "{error}");

        // An agent account named by its exact e-mail makes its changes AI.
        let good = dir.path().join("rules.toml");
        std::fs::write(
            &good,
            "[[ai_tool]]\nid = \"elif-agent\"\nauthor_emails = [\"elif.demir@shop.example\"]\n",
        )
        .expect("write");
        let settings = app
            .update_settings(&SettingsUpdate {
                rules_file: Some(good.display().to_string()),
                ..SettingsUpdate::default()
            })
            .expect("rules accepted");
        assert_eq!(
            settings.rule_sources,
            vec!["built-in".to_owned(), good.display().to_string()]
        );
        assert_eq!(settings.rules_error, None);
        assert_eq!(class_of(&app, "elif.demir@"), vec!["ai".to_owned()]);
        let settings = app
            .update_settings(&SettingsUpdate {
                rules_file: Some(String::new()),
                ..SettingsUpdate::default()
            })
            .expect("back to built-in");
        assert_eq!(settings.rules_file, None);
        assert_eq!(settings.rule_sources, vec!["built-in".to_owned()]);
        assert!(class_of(&app, "elif.demir@").contains(&"human".to_owned()));
    }

    #[test]
    fn a_stored_rules_file_is_in_force_when_the_store_opens_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("h.sqlite");
        let rules = dir.path().join("rules.toml");
        std::fs::write(&rules, "").expect("write");
        let app = Hindsight::open(&db).expect("open");
        app.update_settings(&SettingsUpdate {
            rules_file: Some(rules.display().to_string()),
            ..SettingsUpdate::default()
        })
        .expect("rules");
        drop(app);
        let app = Hindsight::open(&db).expect("reopen");
        assert_eq!(app.rule_sources().len(), 2);
        std::fs::write(&rules, "[[ai_tool]]\nid = ").expect("break");
        drop(app);
        let app =
            Hindsight::open(&db).expect("a broken rules file does not stop the store opening");
        let settings = app.settings().expect("settings");
        assert_eq!(settings.rule_sources, vec!["built-in".to_owned()]);
        assert!(settings.rules_error.is_some());
    }

    #[test]
    fn fixed_offsets_are_recognised() {
        for ok in ["UTC", "Z", "+01:00", "-0500", "+05", "+14:00"] {
            assert!(is_fixed_offset(ok), "{ok}");
        }
        for no in ["Europe/Paris", "+1:00", "+15:00", "+01:60", "01:00", ""] {
            assert!(!is_fixed_offset(no), "{no}");
        }
    }

    #[test]
    fn the_default_zone_goes_into_mappings_that_name_none() {
        let (_dir, app) = app();
        let mapping = "record = \"deployment\"\nformat = \"csv\"\n";
        assert_eq!(app.mapping_with_default_zone(mapping).expect("m"), mapping);
        app.update_settings(&SettingsUpdate {
            time_zone: Some("+02:00".into()),
            ..SettingsUpdate::default()
        })
        .expect("update");
        assert_eq!(
            app.mapping_with_default_zone(mapping).expect("m"),
            format!("timezone = \"+02:00\"\n{mapping}")
        );
        let own = "timezone = \"-05:00\"\nrecord = \"deployment\"\n";
        assert_eq!(app.mapping_with_default_zone(own).expect("m"), own);
    }
}
