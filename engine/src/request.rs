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
//! The small parts (the plan without its capabilities, each capability, the
//! gaps, the inventory) are encoded once. Records are encoded when a chunk's
//! request is built, straight from the typed evidence, so they are never
//! held twice; runs that carry the same evidence of the same chunk share one
//! head (plan and evidence), and each request is built only when its run
//! starts, so a worker thread holds one at a time.

use std::collections::HashMap;
use std::io::Write;

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

/// The encoded parts of every request of one assessment. Records are
/// encoded when a request is built, from the typed evidence: holding them
/// encoded as well would double the memory a large evidence set takes.
pub struct Requests<'a> {
    evidence: &'a EvidenceSet,
    /// The plan as a JSON object without `capabilities`.
    plan_rest: String,
    /// Each capability's plan entry as JSON, in plan order.
    capabilities: Vec<String>,
    /// Each capability's id, in plan order.
    ids: Vec<&'a str>,
    /// Per kind of [`KINDS`], where each capability's records are.
    kinds: [Kind<'a>; 4],
    gaps: String,
    inventory: String,
    now: String,
}

/// Where one kind's records are: by capability, their indices in the
/// evidence and their encoded size; and the encoded size of them all.
#[derive(Default)]
struct Kind<'a> {
    of: HashMap<&'a str, Records>,
    bytes: usize,
}

#[derive(Default)]
struct Records {
    indices: Vec<usize>,
    bytes: usize,
}

impl<'a> Kind<'a> {
    fn new<T: Serialize>(
        records: &'a [T],
        capability: impl Fn(&'a T) -> Option<&'a str>,
    ) -> serde_json::Result<Self> {
        let mut kind = Self::default();
        for (index, record) in records.iter().enumerate() {
            let mut size = Counter(1); // and its comma
            serde_json::to_writer(&mut size, record)?;
            kind.bytes += size.0;
            if let Some(capability) = capability(record) {
                let of = kind.of.entry(capability).or_default();
                of.indices.push(index);
                of.bytes += size.0;
            }
        }
        Ok(kind)
    }
}

/// Counts the bytes written to it: a record's encoded size, without
/// keeping the encoding.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
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
        let kinds = [
            Kind::new(&evidence.runbooks, |r| Some(&r.capability))?,
            Kind::new(&evidence.code, |c| Some(&c.capability))?,
            Kind::new(&evidence.drills, |d| d.capability.as_deref())?,
            Kind::new(&evidence.incidents, |i| i.capability.as_deref())?,
        ];
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
        let read: Vec<(usize, &Kind<'_>)> = self.read(metadata).collect();
        let total: usize = read.iter().map(|(_, k)| k.bytes).sum();
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
                    .map(|(_, k)| k.of.get(id).map_or(0, |r| r.bytes))
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

    /// Which evidence `metadata`'s requests carry, as a set of kinds:
    /// requests of one chunk with the same set share [`Requests::head`].
    pub(crate) fn carried(metadata: &Metadata) -> u8 {
        KINDS
            .iter()
            .chain([&INVENTORY])
            .enumerate()
            .filter(|(_, kind)| reads(metadata, kind))
            .fold(0, |set, (bit, _)| set | 1 << bit)
    }

    /// The request text of one chunk; `params` is already JSON.
    #[cfg(test)]
    fn text(&self, metadata: &Metadata, chunk: &Chunk, params: &str) -> serde_json::Result<String> {
        Ok(self.finish(&self.head(metadata, chunk)?, params))
    }

    /// A request from its [`Requests::head`] and its parameters (JSON).
    pub(crate) fn finish(&self, head: &str, params: &str) -> String {
        format!("{head},\"params\":{params},\"now\":{}}}", self.now)
    }

    /// The plan and evidence of one chunk: a request's text up to its
    /// parameters.
    pub(crate) fn head(&self, metadata: &Metadata, chunk: &Chunk) -> serde_json::Result<String> {
        let mut out: Vec<u8> = b"{\"plan\":{\"capabilities\":[".to_vec();
        for (n, &index) in chunk.capabilities.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(self.capabilities[index].as_bytes());
        }
        out.push(b']');
        match self.plan_rest.strip_prefix('{') {
            Some("}") | None => out.push(b'}'),
            Some(rest) => {
                out.push(b',');
                out.extend_from_slice(rest.as_bytes());
            }
        }
        out.extend_from_slice(b",\"evidence\":{");
        for (kind, records) in self.read(metadata) {
            write!(out, "\"{}\":[", KINDS[kind]).map_err(serde_json::Error::io)?;
            if chunk.every_record {
                // Evidence order across capabilities, as collected.
                for index in 0..self.len(kind) {
                    self.write_record(kind, index, index == 0, &mut out)?;
                }
            } else {
                let indices = chunk
                    .capabilities
                    .iter()
                    .filter_map(|&c| records.of.get(self.ids[c]))
                    .flat_map(|r| &r.indices);
                for (n, &index) in indices.enumerate() {
                    self.write_record(kind, index, n == 0, &mut out)?;
                }
            }
            out.extend_from_slice(b"],");
        }
        if reads(metadata, INVENTORY) {
            write!(out, "\"{INVENTORY}\":{},", self.inventory).map_err(serde_json::Error::io)?;
        }
        write!(out, "\"gaps\":{}}}", self.gaps).map_err(serde_json::Error::io)?;
        // Every part is serde_json's output or ASCII punctuation.
        String::from_utf8(out).map_err(|e| serde_json::Error::io(std::io::Error::other(e)))
    }

    /// The record kinds `metadata` names: their index in [`KINDS`], and
    /// where their records are.
    fn read<'s>(&'s self, metadata: &'s Metadata) -> impl Iterator<Item = (usize, &'s Kind<'a>)> {
        self.kinds
            .iter()
            .enumerate()
            .filter(|(kind, _)| reads(metadata, KINDS[*kind]))
    }

    /// How many records kind `kind` holds.
    fn len(&self, kind: usize) -> usize {
        let e = self.evidence;
        [
            e.runbooks.len(),
            e.code.len(),
            e.drills.len(),
            e.incidents.len(),
        ][kind]
    }

    /// Encodes record `index` of kind `kind` onto `out`, after a comma
    /// unless it is the `first`.
    fn write_record(
        &self,
        kind: usize,
        index: usize,
        first: bool,
        out: &mut Vec<u8>,
    ) -> serde_json::Result<()> {
        if !first {
            out.push(b',');
        }
        let e = self.evidence;
        match kind {
            0 => serde_json::to_writer(out, &e.runbooks[index]),
            1 => serde_json::to_writer(out, &e.code[index]),
            2 => serde_json::to_writer(out, &e.drills[index]),
            _ => serde_json::to_writer(out, &e.incidents[index]),
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
