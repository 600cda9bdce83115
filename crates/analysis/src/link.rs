//! First linking rule: the deployments of an incident's service shortly before impact start.

use chrono::Duration;

use crate::{DeploymentFacts, IncidentFacts};

/// How links are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkOptions {
    /// How far before impact start a deployment may be to count as a suspect.
    pub window: Duration,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            window: Duration::hours(24),
        }
    }
}

/// A deployment suspected of triggering an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct SuspectLink {
    pub incident_id: i64,
    pub deployment_id: i64,
    /// 1 is the most likely.
    pub rank: i64,
    /// 0..1: 1 at impact start, falling linearly to 0 at the edge of the window.
    pub score: f64,
    pub method: String,
    /// The reasons, in plain words.
    pub evidence: Vec<String>,
}

/// For each incident, the deployments of its service in the window before impact start, ranked
/// newest first. Incidents without a service get no links.
pub fn link_incidents(
    incidents: &[IncidentFacts],
    deployments: &[DeploymentFacts],
    options: LinkOptions,
) -> Vec<SuspectLink> {
    let mut links = Vec::new();
    for incident in incidents {
        let Some(service) = incident.service.as_deref() else {
            continue;
        };
        let mut candidates: Vec<&DeploymentFacts> = deployments
            .iter()
            .filter(|d| d.service == service)
            .filter(|d| d.at <= incident.started_at && incident.started_at - d.at <= options.window)
            .collect();
        candidates.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        for (index, deployment) in candidates.into_iter().enumerate() {
            let before = incident.started_at - deployment.at;
            let window_secs = options.window.num_seconds().max(1) as f64;
            let score = (1.0 - before.num_seconds() as f64 / window_secs).clamp(0.0, 1.0);
            links.push(SuspectLink {
                incident_id: incident.id,
                deployment_id: deployment.id,
                rank: index as i64 + 1,
                score: (score * 1000.0).round() / 1000.0,
                method: format!(
                    "same service, within {} h before impact",
                    options.window.num_hours()
                ),
                evidence: evidence(deployment, before),
            });
        }
    }
    links
}

fn evidence(deployment: &DeploymentFacts, before: Duration) -> Vec<String> {
    let place = match &deployment.environment {
        Some(env) => format!("{} {env}", deployment.service),
        None => deployment.service.clone(),
    };
    let what = match (
        deployment.action.as_str(),
        &deployment.version,
        &deployment.sha,
    ) {
        ("deploy", Some(version), _) => format!("deployed {version} to {place}"),
        ("deploy", None, Some(sha)) => {
            format!("deployed {} to {place}", sha.get(..10).unwrap_or(sha))
        }
        ("deploy", None, None) => format!("deployed to {place}"),
        (action, _, _) => format!("{} on {place}", action.replace('_', " ")),
    };
    let by = match (&deployment.actor, &deployment.actor_type) {
        (Some(actor), Some(kind)) => format!(" by {actor} ({kind})"),
        (Some(actor), None) => format!(" by {actor}"),
        _ => String::new(),
    };
    let mut out = vec![format!(
        "{what}{by} {} before impact start",
        human_duration(before)
    )];
    if deployment.status != "succeeded" {
        out.push(format!(
            "the deployment ended {}",
            deployment.status.replace('_', " ")
        ));
    }
    if let Some(permissions) = deployment.attributes.get("permissions") {
        if permissions != "deployer" {
            out.push(format!("the actor held {permissions} permissions"));
        }
    }
    if deployment
        .attributes
        .get("approvals")
        .is_some_and(|a| a.trim() == "0")
    {
        out.push("no approval was recorded".to_owned());
    }
    out
}

/// `14 min`, `3 h 05 min`, `0 min`.
fn human_duration(duration: Duration) -> String {
    let minutes = duration.num_minutes();
    if minutes < 60 {
        format!("{minutes} min")
    } else {
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .expect("time")
    }

    fn deployment(id: i64, service: &str, time: &str) -> DeploymentFacts {
        DeploymentFacts {
            id,
            service: service.into(),
            environment: Some("production".into()),
            version: Some(format!("v{id}")),
            sha: None,
            status: "succeeded".into(),
            action: "deploy".into(),
            actor: Some("ci".into()),
            actor_type: Some("automation".into()),
            at: at(time),
            attributes: Default::default(),
        }
    }

    #[test]
    fn same_service_deployments_in_the_window_newest_first() {
        let incident = IncidentFacts {
            id: 1,
            service: Some("checkout".into()),
            started_at: at("2026-11-17T14:00:00Z"),
        };
        let mut agent_op = deployment(4, "checkout", "2026-11-17T13:46:00Z");
        agent_op.action = "delete_environment".into();
        agent_op.actor = Some("ops-agent".into());
        agent_op.actor_type = Some("agent".into());
        agent_op
            .attributes
            .insert("permissions".into(), "operator".into());
        agent_op.attributes.insert("approvals".into(), "0".into());
        let deployments = vec![
            deployment(1, "checkout", "2026-11-16T13:00:00Z"), // 25 h before: outside
            deployment(2, "checkout", "2026-11-17T02:00:00Z"), // 12 h before
            deployment(3, "payments", "2026-11-17T13:50:00Z"), // other service
            agent_op,
            deployment(5, "checkout", "2026-11-17T14:30:00Z"), // after impact
        ];
        let links = link_incidents(&[incident], &deployments, LinkOptions::default());
        let ids: Vec<_> = links.iter().map(|l| (l.deployment_id, l.rank)).collect();
        assert_eq!(ids, vec![(4, 1), (2, 2)]);
        assert_eq!(links[1].score, 0.5);
        assert_eq!(
            links[0].evidence,
            vec![
                "delete environment on checkout production by ops-agent (agent) 14 min before impact start",
                "the actor held operator permissions",
                "no approval was recorded",
            ]
        );
        assert_eq!(
            links[1].evidence[0],
            "deployed v2 to checkout production by ci (automation) 12 h 00 min before impact start"
        );
    }

    #[test]
    fn incidents_without_service_get_no_links() {
        let incident = IncidentFacts {
            id: 1,
            service: None,
            started_at: at("2026-11-17T14:00:00Z"),
        };
        let deployments = vec![deployment(1, "checkout", "2026-11-17T13:00:00Z")];
        assert!(link_incidents(&[incident], &deployments, LinkOptions::default()).is_empty());
    }
}
