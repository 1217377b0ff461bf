//! The JSON requests policies receive, encoded once per assessment and
//! assembled per run:
//!
//! - **Kinds.** A request carries only the evidence kinds the policy's
//!   metadata names (`runbooks`, `code`, `drills`, `incidents`, `inventory`),
//!   and always `gaps`: a drill policy never parses a million incidents.
//! - **Chunks.** A policy whose metadata allows it ([`Partition::Capability`])
//!   and whose evidence is larger than the chunk budget is evaluated once per
//!   chunk of capabilities, each request holding the plan's entries and the
//!   records of that chunk only, so evidence too large for one sandbox is
//!   still judged in full. Within the budget it gets one request with every
//!   record, as any other policy does.
//!
//! Each part (the plan without its capabilities, each capability, the records
//! of each capability, the gaps, the inventory) is encoded once; a request is
//! their concatenation, built only when its run starts so that at most one
//! request per worker thread is held at a time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use vouch_sdk::metadata::Partition;
use vouch_sdk::{EvidenceSet, Metadata, Plan, Request};

/// The record kinds a policy may name, in the order requests carry them.
const KINDS: [&str; 4] = ["runbooks", "code", "drills", "incidents"];

/// The derived kind: what each source yielded ([`EvidenceSet::inventory`]).
const INVENTORY: &str = "inventory";

/// Whether `metadata`'s policy reads evidence kind `kind`.
fn reads(metadata: &Metadata, kind: &str) -> bool {
    metadata.evidence.iter().any(|k| k == kind)
}

/// `request` as the host sends it to `metadata`'s policy: only the evidence
/// kinds the policy reads, `gaps`, and the inventory if it reads that. For
/// requests written by hand, such as `vouch policy test` fixtures, so that
/// they reach the policy as an assessment's would; the plan is passed as
/// it is.
pub fn as_sent(metadata: &Metadata, request: &Request) -> Result<Request, String> {
    let mut evidence: serde_json::Map<String, serde_json::Value> = request.evidence_as()?;
    evidence.retain(|kind, _| {
        kind == "gaps" || (KINDS.contains(&kind.as_str()) && reads(metadata, kind))
    });
    if reads(metadata, INVENTORY) {
        let inventory = request.evidence()?.inventory(request.now);
        evidence.insert(
            INVENTORY.to_owned(),
            serde_json::to_value(inventory).map_err(|e| e.to_string())?,
        );
    }
    let plan: serde_json::Value = request.plan_as()?;
    Request::new(&plan, &evidence, request.params.clone(), request.now).map_err(|e| e.to_string())
}

/// The encoded parts of every request of one assessment.
pub struct Requests<'a> {
    evidence: &'a EvidenceSet,
    /// The plan as a JSON object without `capabilities`.
    plan_rest: String,
    /// Each capability's plan entry as JSON, in plan order.
    capabilities: Vec<String>,
    /// Each capability's id, in plan order.
    ids: Vec<&'a str>,
    /// Per kind of [`KINDS`]: the records of each capability, joined with
    /// commas, and the bytes of all the kind's records.
    kinds: [Kind; 4],
    gaps: String,
    inventory: String,
    now: String,
}

#[derive(Default)]
struct Kind {
    of: HashMap<String, String>,
    bytes: usize,
}

impl Kind {
    fn add(&mut self, capability: Option<&str>, record: &impl Serialize) -> serde_json::Result<()> {
        let text = serde_json::to_string(record)?;
        self.bytes += text.len() + 1;
        if let Some(capability) = capability {
            let joined = self.of.entry(capability.to_owned()).or_default();
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(&text);
        }
        Ok(())
    }
}

/// Which capabilities one request covers, and whether its records are all
/// of the kinds' records or only those of its capabilities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// Indices into the plan's capabilities.
    capabilities: Vec<usize>,
    every_record: bool,
}

impl<'a> Requests<'a> {
    /// Encodes `plan` and `evidence` for requests as of `now`.
    pub fn new(
        plan: &'a Plan,
        evidence: &'a EvidenceSet,
        now: DateTime<Utc>,
    ) -> serde_json::Result<Self> {
        let mut plan_rest = serde_json::to_value(plan)?;
        let capabilities = match plan_rest
            .as_object_mut()
            .and_then(|o| o.remove("capabilities"))
        {
            Some(serde_json::Value::Array(entries)) => entries
                .iter()
                .map(serde_json::to_string)
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        let mut kinds: [Kind; 4] = Default::default();
        let [runbooks, code, drills, incidents] = &mut kinds;
        for r in &evidence.runbooks {
            runbooks.add(Some(&r.capability), r)?;
        }
        for c in &evidence.code {
            code.add(Some(&c.capability), c)?;
        }
        for d in &evidence.drills {
            drills.add(d.capability.as_deref(), d)?;
        }
        for i in &evidence.incidents {
            incidents.add(i.capability.as_deref(), i)?;
        }
        Ok(Self {
            evidence,
            plan_rest: serde_json::to_string(&plan_rest)?,
            capabilities,
            ids: plan.capabilities.iter().map(|c| c.id.as_str()).collect(),
            kinds,
            gaps: serde_json::to_string(&evidence.gaps)?,
            inventory: serde_json::to_string(&evidence.inventory(now))?,
            now: serde_json::to_string(&now)?,
        })
    }

    /// The plan's capability ids, in plan order.
    pub(crate) fn ids(&self) -> &[&'a str] {
        &self.ids
    }

    /// The chunks one run of `metadata`'s policy on the capabilities `scope`
    /// (indices into the plan's, in plan order) is evaluated in: one with
    /// every record unless the policy allows partitioning and its records
    /// exceed `budget` bytes; then as few as fit, capabilities kept in plan
    /// order. A capability larger than the budget is a chunk of its own.
    pub(crate) fn chunks(
        &self,
        metadata: &Metadata,
        scope: Vec<usize>,
        budget: usize,
    ) -> Vec<Chunk> {
        let read: Vec<&Kind> = self.read(metadata).map(|(_, kind)| kind).collect();
        let total: usize = read.iter().map(|k| k.bytes).sum();
        if metadata.partition == Partition::Whole || total <= budget {
            return vec![Chunk {
                capabilities: scope,
                every_record: true,
            }];
        }
        let mut chunks = Vec::new();
        let mut current = Vec::new();
        let mut bytes = 0;
        for index in scope {
            let id = self.ids[index];
            let size = self.capabilities[index].len()
                + read
                    .iter()
                    .map(|k| k.of.get(id).map_or(0, String::len))
                    .sum::<usize>();
            if !current.is_empty() && bytes + size > budget {
                chunks.push(Chunk {
                    capabilities: std::mem::take(&mut current),
                    every_record: false,
                });
                bytes = 0;
            }
            current.push(index);
            bytes += size;
        }
        chunks.push(Chunk {
            capabilities: current,
            every_record: false,
        });
        chunks
    }

    /// The request text of one chunk; `params` is already JSON.
    pub(crate) fn text(
        &self,
        metadata: &Metadata,
        chunk: &Chunk,
        params: &str,
    ) -> serde_json::Result<String> {
        let mut out = String::from("{\"plan\":{\"capabilities\":[");
        for (n, &index) in chunk.capabilities.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str(&self.capabilities[index]);
        }
        out.push(']');
        match self.plan_rest.strip_prefix('{') {
            Some("}") | None => out.push('}'),
            Some(rest) => {
                out.push(',');
                out.push_str(rest);
            }
        }
        out.push_str(",\"evidence\":{");
        for (name, kind) in self.read(metadata) {
            out.push('"');
            out.push_str(name);
            out.push_str("\":[");
            if chunk.every_record {
                // Evidence order across capabilities, as collected.
                let all = self.all_records(name)?;
                out.push_str(
                    all.strip_prefix('[')
                        .and_then(|a| a.strip_suffix(']'))
                        .unwrap_or(""),
                );
            } else {
                let mut first = true;
                for &index in &chunk.capabilities {
                    if let Some(records) = kind.of.get(self.ids[index]) {
                        if !first {
                            out.push(',');
                        }
                        out.push_str(records);
                        first = false;
                    }
                }
            }
            out.push_str("],");
        }
        if reads(metadata, INVENTORY) {
            out.push_str("\"inventory\":");
            out.push_str(&self.inventory);
            out.push(',');
        }
        out.push_str("\"gaps\":");
        out.push_str(&self.gaps);
        out.push_str("},\"params\":");
        out.push_str(params);
        out.push_str(",\"now\":");
        out.push_str(&self.now);
        out.push('}');
        Ok(out)
    }

    /// The record kinds `metadata` names, with their encodings.
    fn read<'s>(
        &'s self,
        metadata: &'s Metadata,
    ) -> impl Iterator<Item = (&'static str, &'s Kind)> {
        KINDS
            .iter()
            .zip(&self.kinds)
            .filter(|(name, _)| reads(metadata, name))
            .map(|(name, kind)| (*name, kind))
    }

    /// Every record of kind `name` as one JSON array, in evidence order.
    fn all_records(&self, name: &str) -> serde_json::Result<String> {
        let e = self.evidence;
        match name {
            "runbooks" => serde_json::to_string(&e.runbooks),
            "code" => serde_json::to_string(&e.code),
            "drills" => serde_json::to_string(&e.drills),
            _ => serde_json::to_string(&e.incidents),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use vouch_sdk::Partition;

    use super::*;

    fn plan() -> Plan {
        let capability = |id: &str| json!({ "id": id, "name": id, "tier": "t1", "rto": "1h", "rpo": "5m", "owner": "ops" });
        serde_json::from_value(json!({
            "organisation": { "name": "Acme" },
            "audit": { "start": "2026-01-01", "end": "2026-12-31" },
            "tiers": { "t1": { "level": 1, "max_runbook_age": "90d" } },
            "capabilities": [capability("api"), capability("db"), capability("web")]
        }))
        .unwrap()
    }

    fn evidence() -> EvidenceSet {
        let origin = json!({ "source": "s", "artifact": "a", "sha256": "00" });
        let drill = |id: &str, capability: Option<&str>| {
            json!({ "id": id, "capability": capability, "kind": "technical", "title": id,
                    "started": "2026-03-01T00:00:00Z", "ended": "2026-03-01T01:00:00Z",
                    "outcome": "pass", "origin": origin })
        };
        let incident = |id: &str, capability: &str| {
            json!({ "id": id, "capability": capability, "service": capability,
                    "severity": "sev1", "severity_raw": "P1", "title": id,
                    "started": "2026-04-01T00:00:00Z", "origin": origin })
        };
        serde_json::from_value(json!({
            "drills": [drill("d1", Some("web")), drill("d2", None), drill("d3", Some("api"))],
            "incidents": [incident("i1", "db"), incident("i2", "api")],
            "gaps": [{ "source": "pd", "kind": "incidents", "error": "timed out" }]
        }))
        .unwrap()
    }

    fn metadata(evidence: &[&str], partition: Partition) -> Metadata {
        Metadata {
            id: "p".into(),
            version: "1.0.0".into(),
            title: "p".into(),
            description: "p".into(),
            severity: vouch_sdk::Severity::Low,
            evidence: evidence.iter().map(|k| (*k).to_owned()).collect(),
            params_schema: vouch_sdk::metadata::no_params_schema(),
            partition,
            controls: Vec::new(),
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-06-01T00:00:00Z".parse().unwrap()
    }

    /// Each chunk's request, parsed as a policy would: capability ids of its
    /// plan, and its evidence.
    fn sent(metadata: &Metadata, budget: usize) -> Vec<(Vec<String>, Value)> {
        let (plan, evidence) = (plan(), evidence());
        let requests = Requests::new(&plan, &evidence, now()).unwrap();
        requests
            .chunks(metadata, vec![0, 1, 2], budget)
            .iter()
            .map(|chunk| {
                let text = requests.text(metadata, chunk, "{}").unwrap();
                let request: Request = serde_json::from_str(&text).unwrap();
                assert_eq!(request.now, now());
                let plan = request.plan().unwrap();
                let ids = plan.capabilities.iter().map(|c| c.id.clone()).collect();
                (ids, request.evidence_as().unwrap())
            })
            .collect()
    }

    fn ids(records: &Value) -> Vec<&str> {
        records
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_request_carries_only_the_kinds_its_policy_reads_and_the_gaps() {
        let [(capabilities, evidence)] = &sent(&metadata(&["drills"], Partition::Whole), 1)[..]
        else {
            panic!("a whole policy is never split");
        };
        assert_eq!(capabilities, &["api", "db", "web"]);
        let mut kinds: Vec<&String> = evidence.as_object().unwrap().keys().collect();
        kinds.sort();
        assert_eq!(kinds, ["drills", "gaps"]);
        // Every record, in evidence order, the unmatched one too.
        assert_eq!(ids(&evidence["drills"]), ["d1", "d2", "d3"]);
        assert_eq!(evidence["gaps"][0]["source"], "pd");
        let typed: EvidenceSet = serde_json::from_value(evidence.clone()).unwrap();
        assert_eq!(typed.drills, self::evidence().drills);
    }

    #[test]
    fn the_inventory_goes_only_to_policies_that_read_it() {
        let [(_, evidence)] = &sent(&metadata(&["inventory"], Partition::Whole), 1 << 20)[..]
        else {
            panic!("one request");
        };
        let inventory: Vec<vouch_sdk::evidence::SourceInventory> =
            serde_json::from_value(evidence["inventory"].clone()).unwrap();
        assert_eq!(inventory, self::evidence().inventory(now()));
        assert_eq!(inventory[0].records, 5);
        assert_eq!(inventory[0].unmatched, ["d2"]);
        assert!(evidence.get("drills").is_none());
    }

    #[test]
    fn large_evidence_is_judged_in_chunks_of_capabilities() {
        let partitioned = metadata(&["drills", "incidents"], Partition::Capability);
        // Within the budget: one request with every record.
        let whole = sent(&partitioned, 1 << 20);
        assert_eq!(whole.len(), 1);
        assert_eq!(ids(&whole[0].1["drills"]), ["d1", "d2", "d3"]);
        // Over it: a chunk per capability here, each with its own records
        // and every gap; records of no capability go to none.
        let chunks = sent(&partitioned, 1);
        let seen: Vec<_> = chunks
            .iter()
            .map(|(capabilities, evidence)| {
                (
                    capabilities.clone(),
                    ids(&evidence["drills"]),
                    ids(&evidence["incidents"]),
                    evidence["gaps"].as_array().unwrap().len(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (vec!["api".to_owned()], vec!["d3"], vec!["i2"], 1),
                (vec!["db".to_owned()], Vec::<&str>::new(), vec!["i1"], 1),
                (vec!["web".to_owned()], vec!["d1"], Vec::<&str>::new(), 1),
            ]
        );
    }
}
