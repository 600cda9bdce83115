//! What the import screen shows before anything is read in full: the files a drop or a pick
//! expands to, each with the format detected from its first bytes.

use std::io::Read;
use std::path::{Path, PathBuf};

use hindsight_ingest::Format;
use serde::Serialize;
use ts_rs::TS;

use crate::ingest::{expand, DETECT_BYTES};
use crate::{ApiError, ApiErrorDto, Hindsight, Result};

/// One file an import would read, with its detected format.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DetectedFileDto {
    pub path: String,
    /// The format name (`hindsight formats`), `null` when no format recognises the file: it
    /// needs a column mapping.
    pub format: Option<String>,
    #[ts(type = "number")]
    pub size: i64,
    /// Why the file cannot be read, when it cannot.
    pub error: Option<ApiErrorDto>,
}

/// How many files one detection lists; a dropped home directory should not hang the window.
const MAX_DETECTED: usize = 10_000;

impl Hindsight {
    /// Expands files, folders (recursively, hidden entries skipped) and git repositories as an
    /// ingest would, and detects each file's format. Sorted as the ingest reads them.
    pub fn detect_files(paths: &[PathBuf]) -> Result<Vec<DetectedFileDto>> {
        let mut inputs = Vec::new();
        for path in paths {
            expand(path, &mut inputs)?;
            if inputs.len() > MAX_DETECTED {
                return Err(ApiError::BadInput(format!(
                    "more than {MAX_DETECTED} files under {}: pick a narrower folder",
                    path.display()
                )));
            }
        }
        Ok(inputs.iter().map(|p| detect_one(p)).collect())
    }
}

/// Reads a TOML column mapping for [`crate::IngestOptions::mapping`], refusing one that does
/// not parse so that the import screen can say so before any file is read.
pub fn read_mapping_file(path: &Path) -> Result<(String, String)> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ApiError::BadInput(format!("{origin}: cannot read: {e}")))?;
    hindsight_ingest::Mapping::from_toml(&text, &origin)
        .map_err(|e| ApiError::BadInput(e.to_string()))?;
    Ok((origin, text))
}

fn detect_one(path: &Path) -> DetectedFileDto {
    let name = path.display().to_string();
    if path.is_dir() {
        // `expand` keeps a directory only when it is a git repository.
        return DetectedFileDto {
            path: name,
            format: Some(Format::GitRepository.name().to_owned()),
            size: 0,
            error: None,
        };
    }
    let read = std::fs::File::open(path).and_then(|file| {
        let size = file.metadata()?.len();
        let mut head = Vec::with_capacity(DETECT_BYTES);
        file.take(DETECT_BYTES as u64).read_to_end(&mut head)?;
        Ok((size, head))
    });
    match read {
        Ok((size, head)) => DetectedFileDto {
            path: name,
            format: hindsight_ingest::detect(&head).map(|f| f.name().to_owned()),
            size: size as i64,
            error: None,
        },
        Err(e) => DetectedFileDto {
            error: Some(ApiError::BadInput(format!("{name}: cannot read: {e}")).to_dto()),
            path: name,
            format: None,
            size: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_expand_sorted_with_each_format_detected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let deploys = std::fs::read(root.join("demo/deploys.jsonl")).expect("fixture");
        std::fs::write(dir.path().join("b-deploys.jsonl"), &deploys).expect("write");
        std::fs::write(dir.path().join("a-notes.txt"), "just some words\n").expect("write");
        std::fs::write(dir.path().join(".hidden.jsonl"), &deploys).expect("write");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub/c.jsonl"), &deploys).expect("write");

        let found = Hindsight::detect_files(&[dir.path().to_owned()]).expect("detect");
        let summary: Vec<(String, Option<&str>, i64)> = found
            .iter()
            .map(|f| {
                let name = Path::new(&f.path)
                    .strip_prefix(dir.path())
                    .expect("under dir")
                    .display()
                    .to_string();
                (name, f.format.as_deref(), f.size)
            })
            .collect();
        let size = deploys.len() as i64;
        assert_eq!(
            summary,
            vec![
                ("a-notes.txt".to_owned(), None, 16),
                ("b-deploys.jsonl".to_owned(), Some("deploy-jsonl"), size),
                ("sub/c.jsonl".to_owned(), Some("deploy-jsonl"), size),
            ]
        );
        assert!(found.iter().all(|f| f.error.is_none()));
    }

    #[test]
    fn a_mapping_file_is_read_and_a_broken_one_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = dir.path().join("shipit.toml");
        let broken = dir.path().join("broken.toml");
        std::fs::write(
            &good,
            "record = \"deployment\"\nformat = \"csv\"\n[fields]\nat = \"when\"\nservice = \"app\"\n",
        )
        .expect("write");
        std::fs::write(&broken, "record = \"spaceship\"\n").expect("write");
        let (origin, text) = read_mapping_file(&good).expect("good mapping");
        assert_eq!(origin, good.display().to_string());
        assert!(text.starts_with("record"));
        let error = read_mapping_file(&broken).expect_err("broken mapping");
        assert_eq!(error.kind(), crate::ApiErrorKind::BadInput);
    }

    #[test]
    fn a_missing_path_is_an_error_a_person_can_act_on() {
        let error =
            Hindsight::detect_files(&[PathBuf::from("/no/such/file.json")]).expect_err("missing");
        assert_eq!(error.kind(), crate::ApiErrorKind::BadInput);
        assert!(error.to_string().contains("/no/such/file.json"), "{error}");
    }
}
