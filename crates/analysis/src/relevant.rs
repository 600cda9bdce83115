//! Which deployments linking can read, so that a store of millions of deployments links
//! while they stream past once in time order, holding only those ([`LinkSweep`]): the
//! deployments of the incidents' spans still open, and those that may be read wherever they lie
//! in time. Nearby incidents link together, in batches, once their spans have gone past.
//!
//! [`link_incidents`](crate::link_incidents) reads a deployment when it is:
//! - in an incident's window before impact (scored candidates), or in the 24 hours before it
//!   (a deployment marked rolled back, and whether a newer one followed it);
//! - a rollback between impact start and the incident's end plus the rollback grace;
//! - the latest deployment of a service and environment at impact start (what a rollback
//!   without a `rollback_of` undid);
//! - named by the incident's text: its key, its version or a prefix of its SHA;
//! - the shipper of a change the text names by SHA prefix or pull request, or of a change a
//!   revert commit undoes;
//! - the deployment a rollback in a span names in `rollback_of` (fetched from the store).
//!
//! [`Relevance::span`] and [`Relevance::named`] with each slot's latest at every impact start
//! cover every deployment that may be one of these (a superset, never fewer), so linking an
//! incident with them gives the links linking it with every deployment gives.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::explicit::{incident_end, reverted_sha, ROLLBACK_GRACE_HOURS};
use crate::index::{has_prefix, lengths, pr_numbers, ChangeTables, NamedWords};
use crate::link::{link_incidents_with, ChangeDetails, LinkExtras, LinkOptions, SuspectLink};
use crate::{ChangeFacts, ContentsWalker, DeploymentFacts, IncidentFacts, ShippedChange};

/// How far before impact a deployment marked rolled back is read.
const ROLLED_BACK_LOOKBACK_HOURS: i64 = 24;

/// What the incidents' windows and texts make a deployment worth keeping for.
pub struct Relevance {
    /// How far before impact start an incident's span begins: the link window, or the 24 hours
    /// in which a deployment marked rolled back is read, whichever is longer.
    before: Duration,
    /// Impact starts, ascending: the latest deployment of each slot at each is kept.
    starts: Vec<DateTime<Utc>>,
    /// The words of the texts that may name a deployment.
    names: NamedWords,
    /// Changes the texts name (by SHA prefix or pull request) or a revert undoes.
    named_changes: HashSet<i64>,
}

/// Where an incident's span ends (see [`Relevance::span`]): its end plus the rollback grace.
fn span_end(incident: &IncidentFacts) -> DateTime<Utc> {
    let end = incident_end(incident) + Duration::hours(ROLLBACK_GRACE_HOURS);
    end.max(incident.started_at)
}

/// The latest time of a deployment that linking `incidents` may link: the end of the latest
/// span. A deployment the text names counts only up to impact start, and a rollback's target
/// too, so deployments after it change none of their links (nor their ranks). `None` without
/// incidents.
pub fn links_read_until(incidents: &[IncidentFacts]) -> Option<DateTime<Utc>> {
    incidents.iter().map(span_end).max()
}

impl Relevance {
    /// `window` is the link window in force.
    pub fn new(
        incidents: &[IncidentFacts],
        changes: &[ChangeFacts],
        details: &BTreeMap<i64, ChangeDetails>,
        window: Duration,
    ) -> Self {
        let before = window.max(Duration::hours(ROLLED_BACK_LOOKBACK_HOURS));
        let mut starts: Vec<DateTime<Utc>> = incidents.iter().map(|i| i.started_at).collect();
        starts.sort();
        starts.dedup();

        let names = NamedWords::new(incidents.iter().flat_map(|i| &i.text));
        // Reverts name the commit they undo by SHA: whatever shipped it may be a suspect.
        let mut change_prefixes = names.sha_prefixes.clone();
        change_prefixes.extend(
            details
                .values()
                .filter_map(|d| reverted_sha(&d.message))
                .map(|sha| sha.to_lowercase()),
        );
        let change_lengths = lengths(&change_prefixes);
        let named_changes = changes
            .iter()
            .filter(|c| {
                has_prefix(
                    &c.natural_key.to_lowercase(),
                    &change_prefixes,
                    &change_lengths,
                ) || pr_numbers(c, details.get(&c.id))
                    .iter()
                    .any(|n| names.pull_requests.contains(n))
            })
            .map(|c| c.id)
            .collect();
        Self {
            before,
            starts,
            names,
            named_changes,
        }
    }

    /// The time span of an incident's deployments linking reads: its window (or the 24 hours a
    /// rolled back deployment is looked for) before impact start, up to its end plus the
    /// rollback grace. Every deployment in it is read, whatever it is.
    pub fn span(&self, incident: &IncidentFacts) -> (DateTime<Utc>, DateTime<Utc>) {
        (incident.started_at - self.before, span_end(incident))
    }

    /// Whether an incident's text may name `d` (stored under `key`), which shipped `shipped`,
    /// wherever it lies in time.
    pub fn named(&self, d: &DeploymentFacts, key: &str, shipped: &[i64]) -> bool {
        self.names.key(key)
            || d.version.as_deref().is_some_and(|v| self.names.version(v))
            || d.sha.as_deref().is_some_and(|sha| self.names.sha(sha))
            || shipped.iter().any(|c| self.named_changes.contains(c))
    }
}

/// A deployment a sweep holds: its facts, its key, its place in the stream (none when fetched
/// from the store) and its rows in [`LinkSweep`]'s shipped list.
struct Held {
    fact: DeploymentFacts,
    key: String,
    seq: Option<usize>,
    shipped: std::ops::Range<usize>,
}

/// What a sweep asks the store for: a deployment by id (the latest of a slot that has left the
/// held window), or the target of a `rollback_of` (a key, or an id).
pub enum Lookup<'a> {
    Id(i64),
    RollbackOf(&'a str),
}

/// How a sweep asks the store for a deployment: its facts and key, if stored.
pub type Fetch<'f, E> = dyn FnMut(Lookup<'_>) -> Result<Option<(DeploymentFacts, String)>, E> + 'f;

/// Links every incident while the deployments stream past once in time order (ties by id),
/// holding only the deployments of the incidents' spans still open (at least `cap`, so that
/// nearby incidents link together) and those [`Relevance::named`] keeps or that are the
/// latest of their slot at an impact start.
pub struct LinkSweep<'a> {
    incidents: &'a [IncidentFacts],
    relevance: Relevance,
    changes: &'a ChangeTables<'a>,
    extras: LinkExtras,
    options: LinkOptions,
    contents: ContentsWalker<'a>,
    cap: usize,
    spans: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Incidents by span start, then by span end; `linked` marks those done.
    by_start: Vec<usize>,
    by_end: Vec<usize>,
    linked: Vec<bool>,
    first_open: usize,
    next_end: usize,
    ready: Vec<usize>,
    starts: Vec<DateTime<Utc>>,
    next_start: usize,
    /// Deployments from the earliest open span start on, in stream order; the front's `seq`.
    active: VecDeque<Held>,
    front_seq: usize,
    next_seq: usize,
    pinned: Vec<Held>,
    pinned_ids: HashSet<i64>,
    /// The latest non-rollback deployment per service and environment: id and stream place.
    /// Nested, so that a slot seen before is updated without copying its names.
    latest: HashMap<String, HashMap<Option<String>, (i64, usize)>>,
    shipped: Vec<ShippedChange>,
    shipped_here: Vec<i64>,
    links_of: Vec<Vec<SuspectLink>>,
    most_held: usize,
}

/// What a finished sweep found.
pub struct Swept {
    /// The links, in the order of the incidents given, as [`link_incidents`] answers them.
    pub links: Vec<SuspectLink>,
    /// What every deployment shipped, sorted.
    pub shipped: Vec<ShippedChange>,
    /// The most deployments one batch linked with.
    pub most_held: usize,
}

impl<'a> LinkSweep<'a> {
    /// `options.window` is the link window in force; `changes` are the change tables of the
    /// changes `contents` walks.
    pub fn new(
        incidents: &'a [IncidentFacts],
        changes: &'a ChangeTables<'a>,
        contents: ContentsWalker<'a>,
        change_facts: &[ChangeFacts],
        change_details: BTreeMap<i64, ChangeDetails>,
        options: LinkOptions,
        cap: usize,
    ) -> Self {
        let relevance = Relevance::new(incidents, change_facts, &change_details, options.window);
        let spans: Vec<_> = incidents.iter().map(|i| relevance.span(i)).collect();
        let mut by_start: Vec<usize> = (0..incidents.len()).collect();
        by_start.sort_by_key(|i| (spans[*i].0, *i));
        let mut by_end: Vec<usize> = (0..incidents.len()).collect();
        by_end.sort_by_key(|i| (spans[*i].1, *i));
        let starts = relevance.starts.clone();
        Self {
            incidents,
            relevance,
            changes,
            extras: LinkExtras {
                deployment_keys: BTreeMap::new(),
                change_details,
            },
            options,
            contents,
            cap,
            spans,
            by_start,
            by_end,
            linked: vec![false; incidents.len()],
            first_open: 0,
            next_end: 0,
            ready: Vec::new(),
            starts,
            next_start: 0,
            active: VecDeque::new(),
            front_seq: 0,
            next_seq: 0,
            pinned: Vec::new(),
            pinned_ids: HashSet::new(),
            latest: HashMap::new(),
            shipped: Vec::new(),
            shipped_here: Vec::new(),
            links_of: vec![Vec::new(); incidents.len()],
            most_held: 0,
        }
    }

    /// The next deployment of the stream, stored under `key`.
    pub fn push<E>(
        &mut self,
        d: DeploymentFacts,
        key: String,
        fetch: &mut Fetch<'_, E>,
    ) -> Result<(), E> {
        // Spans that ended before it are complete; impact starts before it fix each slot's
        // latest.
        while let Some(&i) = self.by_end.get(self.next_end) {
            if self.spans[i].1 >= d.at {
                break;
            }
            self.ready.push(i);
            self.next_end += 1;
        }
        self.pass_starts_before(d.at, fetch)?;
        if !self.ready.is_empty() && self.active.len() >= self.cap {
            self.link_ready(fetch)?;
        }

        let before = self.shipped.len();
        self.contents.ship(&d, &mut self.shipped);
        let rows = before..self.shipped.len();
        self.shipped_here.clear();
        self.shipped_here
            .extend(self.shipped[rows.clone()].iter().map(|s| s.change_id));
        let seq = self.next_seq;
        self.next_seq += 1;
        if d.action != "rollback" {
            let place = (d.id, seq);
            match self
                .latest
                .get_mut(&d.service)
                .and_then(|envs| envs.get_mut(&d.environment))
            {
                Some(latest) => *latest = place,
                None => {
                    self.latest
                        .entry(d.service.clone())
                        .or_default()
                        .insert(d.environment.clone(), place);
                }
            }
        }
        let named = self.relevance.named(&d, &key, &self.shipped_here);
        let open = self.first_open_start().is_some_and(|from| d.at >= from);
        if named && self.pinned_ids.insert(d.id) {
            self.pinned.push(Held {
                fact: d.clone(),
                key: key.clone(),
                seq: open.then_some(seq),
                shipped: rows.clone(),
            });
        }
        if open {
            if self.active.is_empty() {
                self.front_seq = seq;
            }
            self.active.push_back(Held {
                fact: d,
                key,
                seq: Some(seq),
                shipped: rows,
            });
        }
        Ok(())
    }

    /// Links what is left once the stream has ended.
    pub fn finish<E>(mut self, fetch: &mut Fetch<'_, E>) -> Result<Swept, E> {
        self.pass_starts_before(DateTime::<Utc>::MAX_UTC, fetch)?;
        self.ready = (0..self.incidents.len())
            .filter(|i| !self.linked[*i])
            .collect();
        self.link_ready(fetch)?;
        let mut shipped = self.shipped;
        shipped.sort();
        Ok(Swept {
            links: self.links_of.into_iter().flatten().collect(),
            shipped,
            most_held: self.most_held,
        })
    }

    /// The earliest span start of the incidents not linked yet.
    fn first_open_start(&mut self) -> Option<DateTime<Utc>> {
        while let Some(&i) = self.by_start.get(self.first_open) {
            if !self.linked[i] {
                return Some(self.spans[i].0);
            }
            self.first_open += 1;
        }
        None
    }

    /// Keeps each slot's latest deployment at every impact start before `at`.
    fn pass_starts_before<E>(
        &mut self,
        at: DateTime<Utc>,
        fetch: &mut Fetch<'_, E>,
    ) -> Result<(), E> {
        let passed = self.next_start + self.starts[self.next_start..].partition_point(|s| *s < at);
        if passed == self.next_start {
            return Ok(());
        }
        self.next_start = passed;
        let mut wanted: Vec<(i64, usize)> = self
            .latest
            .values()
            .flat_map(HashMap::values)
            .filter(|(id, _)| !self.pinned_ids.contains(id))
            .copied()
            .collect();
        wanted.sort_unstable();
        for (id, seq) in wanted {
            let held = match seq
                .checked_sub(self.front_seq)
                .and_then(|k| self.active.get(k))
                .filter(|h| h.fact.id == id)
            {
                Some(h) => Some(Held {
                    fact: h.fact.clone(),
                    key: h.key.clone(),
                    seq: h.seq,
                    shipped: h.shipped.clone(),
                }),
                None => fetch(Lookup::Id(id))?.map(|(fact, key)| Held {
                    fact,
                    key,
                    seq: None,
                    shipped: 0..0,
                }),
            };
            if let Some(held) = held {
                self.pinned_ids.insert(id);
                self.pinned.push(held);
            }
        }
        Ok(())
    }

    /// Links the ready incidents with the held deployments, then lets go of those before the
    /// earliest span still open.
    fn link_ready<E>(&mut self, fetch: &mut Fetch<'_, E>) -> Result<(), E> {
        if self.ready.is_empty() {
            return Ok(());
        }
        // Only the deployments of these incidents' spans: those before the earliest of them
        // are held for other incidents, still open, and change none of these links (what an
        // incident may read outside its span is pinned). Held in time order, they are a prefix.
        let from = self.ready.iter().map(|i| self.spans[*i].0).min();
        let skip = from.map_or(0, |from| self.active.partition_point(|h| h.fact.at < from));
        let mut held: Vec<&Held> = self.active.range(skip..).collect();
        let front = self.active.get(skip).and_then(|h| h.seq);
        let in_active = |h: &Held| h.seq.zip(front).is_some_and(|(s, front)| s >= front);
        held.extend(self.pinned.iter().filter(|h| !in_active(h)));
        // What rollbacks say they undid, wherever it lies in time. The held keys and ids are
        // gathered only when a rollback names one: tens of thousands of each per batch were a
        // quarter of this function's own time in the ingest bench's run with incidents.
        let mut targets: Vec<&str> = held
            .iter()
            .filter(|h| h.fact.action == "rollback")
            .filter_map(|h| h.fact.attributes.get("rollback_of").map(String::as_str))
            .collect();
        let (keys, ids): (HashSet<&str>, HashSet<i64>) = if targets.is_empty() {
            Default::default()
        } else {
            (
                held.iter().map(|h| h.key.as_str()).collect(),
                held.iter().map(|h| h.fact.id).collect(),
            )
        };
        targets.retain(|of| {
            !keys.contains(of) && !of.parse::<i64>().is_ok_and(|id| ids.contains(&id))
        });
        targets.sort_unstable();
        targets.dedup();
        let mut fetched = Vec::new();
        for of in targets {
            if let Some((fact, key)) = fetch(Lookup::RollbackOf(of))? {
                if !ids.contains(&fact.id) {
                    fetched.push(Held {
                        fact,
                        key,
                        seq: None,
                        shipped: 0..0,
                    });
                }
            }
        }
        held.extend(fetched.iter());
        // As `Store::deployments` orders them: time, then key.
        held.sort_by(|a, b| (a.fact.at, &a.key).cmp(&(b.fact.at, &b.key)));
        held.dedup_by_key(|h| h.fact.id);
        let deployments: Vec<&DeploymentFacts> = held.iter().map(|h| &h.fact).collect();
        let shipped: Vec<ShippedChange> = held
            .iter()
            .flat_map(|h| self.shipped[h.shipped.clone()].iter().cloned())
            .collect();
        self.extras.deployment_keys = held.iter().map(|h| (h.fact.id, h.key.clone())).collect();
        self.most_held = self.most_held.max(deployments.len());
        let mut ready = std::mem::take(&mut self.ready);
        ready.sort_unstable();
        let batch: Vec<IncidentFacts> = ready.iter().map(|i| self.incidents[*i].clone()).collect();
        let slot: HashMap<i64, usize> = ready.iter().map(|i| (self.incidents[*i].id, *i)).collect();
        for link in link_incidents_with(
            &batch,
            &deployments,
            &shipped,
            self.changes,
            &self.extras,
            &self.options,
        ) {
            if let Some(i) = slot.get(&link.incident_id) {
                self.links_of[*i].push(link);
            }
        }
        for i in ready {
            self.linked[i] = true;
        }
        // Nothing before the earliest open span is read again.
        let from = self.first_open_start();
        while let Some(front) = self.active.front() {
            if from.is_some_and(|from| front.fact.at >= from) {
                break;
            }
            self.active.pop_front();
            self.front_seq += 1;
        }
        Ok(())
    }
}
