//! What the format modules' tests share: the records a parse hands over, collected and taken
//! apart, so that a test fails with what it got instead.

use hindsight_model::{Change, Deployment, Incident, Rejection};

use crate::{IngestError, Parsed, Record};

/// A parse into a sink, as every format's `parse` is called.
pub(crate) type Parse<'a> = Box<dyn FnOnce(&mut dyn FnMut(Parsed)) -> Result<(), IngestError> + 'a>;

/// Everything `parse` hands over, in order; a parse error fails the test.
pub(crate) fn collect(parse: Parse<'_>) -> Vec<Parsed> {
    let mut out = Vec::new();
    parse(&mut |p| out.push(p)).expect("parse");
    out
}

/// The incidents and rejections `parse` hands over; any other record fails the test.
pub(crate) fn incidents_and_rejections(
    parse: Parse<'_>,
) -> Result<(Vec<Incident>, Vec<Rejection>), IngestError> {
    let mut incidents = Vec::new();
    let mut rejections = Vec::new();
    parse(&mut |p| match p {
        Parsed::Record(Record::Incident(i)) => incidents.push(i),
        Parsed::Record(other) => panic!("unexpected record {other:?}"),
        Parsed::Rejected(r) => rejections.push(r),
        Parsed::Skipped(s) => panic!("unexpected skipped record {s:?}"),
    })?;
    Ok((incidents, rejections))
}

pub(crate) fn deployment(parsed: &Parsed) -> &Deployment {
    match parsed {
        Parsed::Record(Record::Deployment(d)) => d,
        other => panic!("not a deployment: {other:?}"),
    }
}

pub(crate) fn change(parsed: &Parsed) -> &Change {
    match parsed {
        Parsed::Record(Record::Change(c)) => c,
        other => panic!("not a change: {other:?}"),
    }
}

pub(crate) fn rejection(parsed: &Parsed) -> &Rejection {
    match parsed {
        Parsed::Rejected(r) => r,
        other => panic!("not a rejection: {other:?}"),
    }
}
