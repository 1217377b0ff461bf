//! Framework control catalogs: which controls each standard framework has,
//! read from `policies/controls/*.toml` (embedded in the binary), and the
//! check that every control a policy claims to evidence exists.
//!
//! A policy names its controls as `framework:control` (e.g. `soc2:A1.2`).
//! A claim to a control no catalog holds could never be reported, so it is
//! refused when the policy is loaded rather than silently dropped.

use serde::Deserialize;
use vouch_sdk::Metadata;

/// The catalog files, embedded so a user needs nothing but the binary.
const CATALOGS: [(&str, &str); 8] = [
    (
        "soc2.toml",
        include_str!("../../policies/controls/soc2.toml"),
    ),
    (
        "iso27001.toml",
        include_str!("../../policies/controls/iso27001.toml"),
    ),
    (
        "iso22301.toml",
        include_str!("../../policies/controls/iso22301.toml"),
    ),
    (
        "nist-800-53.toml",
        include_str!("../../policies/controls/nist-800-53.toml"),
    ),
    (
        "dora.toml",
        include_str!("../../policies/controls/dora.toml"),
    ),
    (
        "hipaa.toml",
        include_str!("../../policies/controls/hipaa.toml"),
    ),
    (
        "pci-dss.toml",
        include_str!("../../policies/controls/pci-dss.toml"),
    ),
    (
        "vouch.toml",
        include_str!("../../policies/controls/vouch.toml"),
    ),
];

/// One framework's catalog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// Framework id, as plans and policies name it, e.g. `soc2`.
    pub id: String,
    /// Title for people.
    pub title: String,
    /// Its controls, in the catalog's order.
    pub controls: Vec<Control>,
}

/// One control of a framework: an id and a short title, never the
/// standard's own text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// Control id within the framework, e.g. `A1.2`.
    pub id: String,
    /// Short title.
    pub title: String,
}

/// Every framework catalog Vouch knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogs {
    frameworks: Vec<Framework>,
}

/// A catalog or a policy's control claims could not be accepted.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ControlError {
    /// An embedded catalog is malformed (a bug in Vouch's own data).
    #[error("the embedded control catalog `{file}` is malformed: {reason}")]
    #[diagnostic(
        code(vouch::controls::catalog),
        help("this is a bug in Vouch; please report it")
    )]
    Catalog {
        /// The catalog file.
        file: &'static str,
        /// What is wrong.
        reason: String,
    },

    /// A policy claims a control that no catalog holds.
    #[error("policy `{policy}` names control `{control}`, which no catalog holds")]
    #[diagnostic(code(vouch::controls::unknown), help("{help}"))]
    Unknown {
        /// The policy's id.
        policy: String,
        /// The control as the policy wrote it.
        control: String,
        /// The nearest known control, or what to write instead.
        help: String,
    },
}

impl Catalogs {
    /// The catalogs shipped with Vouch (`policies/controls/`).
    pub fn standard() -> Result<Self, ControlError> {
        let frameworks = CATALOGS
            .iter()
            .map(|(file, text)| {
                toml::from_str::<Framework>(text).map_err(|e| ControlError::Catalog {
                    file,
                    reason: e.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        Self::new(frameworks).map_err(|reason| ControlError::Catalog {
            file: "policies/controls",
            reason,
        })
    }

    /// Catalogs from frameworks given directly; refuses a framework or a
    /// control id that appears twice.
    pub fn new(frameworks: Vec<Framework>) -> Result<Self, String> {
        let mut seen = std::collections::BTreeSet::new();
        for framework in &frameworks {
            if !seen.insert(framework.id.as_str()) {
                return Err(format!("framework `{}` appears twice", framework.id));
            }
            let mut ids = std::collections::BTreeSet::new();
            if let Some(dup) = framework.controls.iter().find(|c| !ids.insert(&c.id)) {
                return Err(format!(
                    "control `{}` appears twice in `{}`",
                    dup.id, framework.id
                ));
            }
        }
        Ok(Self { frameworks })
    }

    /// The framework with this id.
    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    /// Every framework, in catalog order.
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    /// Checks that every control `metadata` claims is in a catalog.
    pub fn check(&self, metadata: &Metadata) -> Result<(), ControlError> {
        for control in &metadata.controls {
            let known = control.split_once(':').is_some_and(|(framework, id)| {
                self.framework(framework)
                    .is_some_and(|f| f.controls.iter().any(|c| c.id == id))
            });
            if !known {
                return Err(ControlError::Unknown {
                    policy: metadata.id.clone(),
                    control: control.clone(),
                    help: self.suggest(control),
                });
            }
        }
        Ok(())
    }

    /// What to write instead of `control`: the nearest known control.
    fn suggest(&self, control: &str) -> String {
        let (framework, id) = control.split_once(':').unwrap_or(("", control));
        let nearest = match self.framework(framework) {
            // The framework is right: the nearest control within it.
            Some(f) => nearest(id, f.controls.iter().map(|c| c.id.as_str()))
                .map(|c| format!("{}:{c}", f.id)),
            // Else the nearest framework, with the control if it has it.
            None => {
                nearest(framework, self.frameworks.iter().map(|f| f.id.as_str())).map(
                    |f| match self
                        .framework(f)
                        .and_then(|fw| fw.controls.iter().find(|c| c.id == id))
                    {
                        Some(c) => format!("{f}:{}", c.id),
                        None => format!("{f}:…"),
                    },
                )
            }
        };
        let frameworks: Vec<&str> = self.frameworks.iter().map(|f| f.id.as_str()).collect();
        match nearest {
            Some(n) => format!("did you mean `{n}`? controls are written `framework:control`"),
            None => format!(
                "write controls as `framework:control`, with a framework among `{}`",
                frameworks.join("`, `")
            ),
        }
    }
}

/// The candidate closest to `word`, if any is close enough to be a typo.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .map(|c| (strsim::jaro_winkler(&word, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(controls: &[&str]) -> Metadata {
        Metadata {
            id: "p".into(),
            version: "1.0.0".into(),
            title: String::new(),
            description: String::new(),
            severity: vouch_sdk::Severity::Low,
            evidence: Vec::new(),
            params_schema: vouch_sdk::metadata::no_params_schema(),
            partition: vouch_sdk::Partition::Whole,
            controls: controls.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn the_embedded_catalogs_cover_every_standard_framework() {
        let catalogs = Catalogs::standard().unwrap();
        for id in vouch_sdk::plan::STANDARD_FRAMEWORKS {
            let framework = catalogs.framework(id).unwrap();
            assert!(!framework.controls.is_empty(), "{id} has no controls");
        }
        let count: usize = catalogs
            .frameworks()
            .iter()
            .filter(|f| f.id != "vouch")
            .map(|f| f.controls.len())
            .sum();
        // 5 SOC 2 + 8 ISO 27001 + 3 ISO 22301 + 7 NIST + 4 DORA + 6 HIPAA + 2 PCI.
        assert_eq!(count, 35);
    }

    #[test]
    fn known_controls_pass_the_check() {
        let catalogs = Catalogs::standard().unwrap();
        let ok = metadata(&["soc2:A1.2", "hipaa:164.308(a)(7)(ii)(B)", "dora:Art.11"]);
        catalogs.check(&ok).unwrap();
    }

    #[test]
    fn an_unknown_control_names_the_policy_and_the_nearest() {
        let catalogs = Catalogs::standard().unwrap();
        let err = catalogs.check(&metadata(&["soc2:A1.9"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "policy `p` names control `soc2:A1.9`, which no catalog holds"
        );
        let ControlError::Unknown { help, .. } = err else {
            panic!("wrong error: {err}");
        };
        assert!(
            help.contains("`soc2:A1.2`") || help.contains("`soc2:A1.3`"),
            "{help}"
        );

        let err = catalogs.check(&metadata(&["soc-2:CC7.4"])).unwrap_err();
        let ControlError::Unknown { help, .. } = err else {
            panic!("wrong error: {err}");
        };
        assert!(help.contains("did you mean `soc2:CC7.4`?"), "{help}");
    }

    #[test]
    fn duplicate_controls_are_refused() {
        let control = Control {
            id: "X".into(),
            title: "x".into(),
        };
        let framework = Framework {
            id: "f".into(),
            title: "F".into(),
            controls: vec![control.clone(), control],
        };
        assert!(Catalogs::new(vec![framework]).is_err());
    }
}
