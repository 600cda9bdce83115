//! The one error type hosts see, serialised as `{kind, message}`.

use serde::{Serialize, Serializer};
use ts_rs::TS;

/// What kind of failure an [`ApiError`] is; hosts map it to exit codes and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ApiErrorKind {
    /// The input (a file, an argument) is wrong; the user can fix it.
    BadInput,
    /// The thing asked for does not exist.
    NotFound,
    /// The operation was cancelled.
    Cancelled,
    /// A defect or an environment failure.
    Internal,
}

/// The serialised form of an [`ApiError`].
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ApiErrorDto {
    pub kind: ApiErrorKind,
    pub message: String,
}

/// Errors of every api call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn kind(&self) -> ApiErrorKind {
        match self {
            Self::BadInput(_) => ApiErrorKind::BadInput,
            Self::NotFound(_) => ApiErrorKind::NotFound,
            Self::Cancelled => ApiErrorKind::Cancelled,
            Self::Internal(_) => ApiErrorKind::Internal,
        }
    }

    pub fn to_dto(&self) -> ApiErrorDto {
        ApiErrorDto {
            kind: self.kind(),
            message: self.to_string(),
        }
    }
}

impl Serialize for ApiError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_dto().serialize(serializer)
    }
}

impl From<hindsight_store::StoreError> for ApiError {
    fn from(error: hindsight_store::StoreError) -> Self {
        use hindsight_store::StoreError as E;
        match error {
            E::NotFound(what) => Self::NotFound(format!("{what} not found")),
            e @ (E::TooNew { .. } | E::Open { .. } | E::BadQuery(_)) => {
                Self::BadInput(e.to_string())
            }
            e => Self::Internal(e.to_string()),
        }
    }
}

impl From<hindsight_ingest::IngestError> for ApiError {
    fn from(error: hindsight_ingest::IngestError) -> Self {
        Self::BadInput(error.to_string())
    }
}

impl From<hindsight_attribution::RulesError> for ApiError {
    fn from(error: hindsight_attribution::RulesError) -> Self {
        Self::BadInput(error.to_string())
    }
}

impl From<hindsight_analysis::AnalysisError> for ApiError {
    fn from(error: hindsight_analysis::AnalysisError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<hindsight_report::ReportError> for ApiError {
    fn from(error: hindsight_report::ReportError) -> Self {
        Self::Internal(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_kind_and_message() {
        let json =
            serde_json::to_string(&ApiError::BadInput("x.json: line 3, column 1: EOF".into()))
                .expect("json");
        assert_eq!(
            json,
            r#"{"kind":"bad_input","message":"x.json: line 3, column 1: EOF"}"#
        );
        let json = serde_json::to_string(&ApiError::NotFound("incident 9 not found".into()))
            .expect("json");
        assert_eq!(
            json,
            r#"{"kind":"not_found","message":"incident 9 not found"}"#
        );
    }
}
