//! A table of typed columns written as Parquet bytes, for the report's data tables. Columns
//! keep their types (integers, floats, text, booleans; all nullable), unlike CSV.

use std::io::Cursor;

use polars::prelude::*;

use crate::AnalysisError;

/// The values of one column; `None` is a null.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
}

impl ColumnValues {
    fn len(&self) -> usize {
        match self {
            Self::Int(v) => v.len(),
            Self::Float(v) => v.len(),
            Self::Text(v) => v.len(),
            Self::Bool(v) => v.len(),
        }
    }
}

/// One named column.
#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    pub name: String,
    pub values: ColumnValues,
}

impl TableColumn {
    pub fn new(name: &str, values: ColumnValues) -> Self {
        Self {
            name: name.to_owned(),
            values,
        }
    }
}

/// Writes the columns as one Parquet file and returns its bytes. All columns must have the
/// same length.
pub fn write_parquet(columns: &[TableColumn]) -> Result<Vec<u8>, AnalysisError> {
    let height = columns.first().map_or(0, |c| c.values.len());
    let frame: Vec<Column> = columns
        .iter()
        .map(|c| {
            let name: PlSmallStr = c.name.as_str().into();
            let series = match &c.values {
                ColumnValues::Int(v) => Series::new(name, v.as_slice()),
                ColumnValues::Float(v) => Series::new(name, v.as_slice()),
                ColumnValues::Text(v) => Series::new(name, v.as_slice()),
                ColumnValues::Bool(v) => Series::new(name, v.as_slice()),
            };
            Column::from(series)
        })
        .collect();
    let mut frame = DataFrame::new(height, frame)?;
    let mut out = Cursor::new(Vec::new());
    ParquetWriter::new(&mut out).finish(&mut frame)?;
    Ok(out.into_inner())
}

/// Reads a Parquet file written by [`write_parquet`] back into typed columns; columns of other
/// types come back as text.
pub fn read_parquet(bytes: &[u8]) -> Result<Vec<TableColumn>, AnalysisError> {
    let frame = ParquetReader::new(Cursor::new(bytes)).finish()?;
    frame
        .columns()
        .iter()
        .map(|c| {
            let rows = 0..c.len();
            let values = match c.dtype() {
                DataType::Int64 => {
                    let v = c.i64()?;
                    ColumnValues::Int(rows.map(|i| v.get(i)).collect())
                }
                DataType::Float64 => {
                    let v = c.f64()?;
                    ColumnValues::Float(rows.map(|i| v.get(i)).collect())
                }
                DataType::Boolean => {
                    let v = c.bool()?;
                    ColumnValues::Bool(rows.map(|i| v.get(i)).collect())
                }
                _ => {
                    let text = c.cast(&DataType::String)?;
                    let v = text.str()?;
                    ColumnValues::Text(rows.map(|i| v.get(i).map(str::to_owned)).collect())
                }
            };
            Ok(TableColumn::new(c.name().as_str(), values))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_read_back_with_their_types_and_nulls() {
        let columns = vec![
            TableColumn::new("cohort", ColumnValues::Text(vec![Some("ai".into()), None])),
            TableColumn::new("changes", ColumnValues::Int(vec![Some(612), Some(0)])),
            TableColumn::new("rate", ColumnValues::Float(vec![Some(0.031), None])),
            TableColumn::new("open", ColumnValues::Bool(vec![Some(true), Some(false)])),
        ];
        let bytes = write_parquet(&columns).expect("parquet");
        assert_eq!(&bytes[..4], b"PAR1");
        let frame = ParquetReader::new(Cursor::new(bytes))
            .finish()
            .expect("read back");
        assert_eq!(frame.height(), 2);
        let cohort = frame.column("cohort").expect("cohort");
        assert_eq!(cohort.str().expect("text").get(0), Some("ai"));
        assert_eq!(cohort.str().expect("text").get(1), None);
        let changes = frame.column("changes").expect("changes");
        assert_eq!(changes.i64().expect("int").get(0), Some(612));
        let rate = frame.column("rate").expect("rate");
        assert_eq!(rate.f64().expect("float").get(0), Some(0.031));
        assert_eq!(rate.f64().expect("float").get(1), None);
        assert_eq!(
            frame
                .column("open")
                .expect("open")
                .bool()
                .expect("bool")
                .get(0),
            Some(true)
        );
        assert_eq!(
            read_parquet(&write_parquet(&columns).expect("parquet")).expect("read"),
            columns
        );
        // A length mismatch is an error, not a panic.
        let ragged = vec![
            TableColumn::new("a", ColumnValues::Int(vec![Some(1)])),
            TableColumn::new("b", ColumnValues::Int(vec![])),
        ];
        assert!(write_parquet(&ragged).is_err());
    }
}
