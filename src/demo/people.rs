//! Who works at Acme: commit authors, drill participants, incident owners.
//!
//! Tomasz appears twice: most of his commits use his work address, some (made
//! in GitHub's web editor) its noreply address, as real histories do.

use super::clock::Zone;

/// Someone who commits, runs drills or owns follow-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Person {
    /// Display name, as git records it.
    pub name: &'static str,
    /// The address this identity commits with.
    pub email: &'static str,
    /// Where they work, for the offsets on their timestamps.
    pub zone: Zone,
}

const fn person(name: &'static str, email: &'static str, zone: Zone) -> Person {
    Person { name, email, zone }
}

pub const PRIYA: Person = person("Priya Raman", "priya.raman@acme.example", Zone::London);
pub const TOMASZ: Person = person("Tomasz Nowak", "tomasz.nowak@acme.example", Zone::Central);
pub const TOMASZ_GITHUB: Person = person(
    "Tomasz Nowak",
    "48213907+tnowak@users.noreply.github.com",
    Zone::Central,
);
pub const DANA: Person = person(
    "Dana Whitfield",
    "dana.whitfield@acme.example",
    Zone::Toronto,
);
pub const KENJI: Person = person("Kenji Sato", "kenji.sato@acme.example", Zone::London);
pub const AISHA: Person = person("Aisha Bello", "aisha.bello@acme.example", Zone::London);
pub const LUCIA: Person = person(
    "Lucía Fernández",
    "lucia.fernandez@acme.example",
    Zone::Central,
);
pub const MARCO: Person = person("Marco Rossi", "marco.rossi@acme.example", Zone::Central);
pub const OLA: Person = person("Ola Mensah", "ola.mensah@acme.example", Zone::London);
pub const NIAMH: Person = person("Niamh Byrne", "niamh.byrne@acme.example", Zone::London);
pub const SAM: Person = person("Sam Okafor", "sam.okafor@acme.example", Zone::London);
pub const RENOVATE: Person = person(
    "renovate[bot]",
    "29139614+renovate[bot]@users.noreply.github.com",
    Zone::Utc,
);
/// The committer of pull-request merges made on github.com.
pub const GITHUB: Person = person("GitHub", "noreply@github.com", Zone::Utc);

/// The people who edit one area, in the order the churn picks from.
pub type Team = &'static [Person];

pub const PAYMENTS: Team = &[PRIYA, TOMASZ, PRIYA, TOMASZ_GITHUB];
pub const DATA: Team = &[DANA, TOMASZ, DANA];
pub const IDENTITY: Team = &[KENJI, AISHA];
pub const WEB: Team = &[LUCIA, MARCO];
pub const MESSAGING: Team = &[OLA];
pub const ANALYTICS: Team = &[NIAMH];
pub const PLATFORM: Team = &[SAM, TOMASZ];
pub const BOTS: Team = &[RENOVATE];
