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

/// Payments tech lead, London.
pub const PRIYA: Person = person("Priya Raman", "priya.raman@acme.example", Zone::London);
/// Platform engineer (payments and data), Warsaw, at his work address.
pub const TOMASZ: Person = person("Tomasz Nowak", "tomasz.nowak@acme.example", Zone::Central);
/// Tomasz again, committing from GitHub's web editor.
pub const TOMASZ_GITHUB: Person = person(
    "Tomasz Nowak",
    "48213907+tnowak@users.noreply.github.com",
    Zone::Central,
);
/// Database lead, Toronto.
pub const DANA: Person = person(
    "Dana Whitfield",
    "dana.whitfield@acme.example",
    Zone::Toronto,
);
/// Identity engineer, London.
pub const KENJI: Person = person("Kenji Sato", "kenji.sato@acme.example", Zone::London);
/// Identity engineering manager, London.
pub const AISHA: Person = person("Aisha Bello", "aisha.bello@acme.example", Zone::London);
/// Web tech lead, Madrid.
pub const LUCIA: Person = person(
    "Lucía Fernández",
    "lucia.fernandez@acme.example",
    Zone::Central,
);
/// Web engineer, Milan.
pub const MARCO: Person = person("Marco Rossi", "marco.rossi@acme.example", Zone::Central);
/// Messaging engineer, London.
pub const OLA: Person = person("Ola Mensah", "ola.mensah@acme.example", Zone::London);
/// Analytics engineer, Dublin.
pub const NIAMH: Person = person("Niamh Byrne", "niamh.byrne@acme.example", Zone::London);
/// Platform on-call lead, London.
pub const SAM: Person = person("Sam Okafor", "sam.okafor@acme.example", Zone::London);
/// The dependency-update bot.
pub const RENOVATE: Person = person(
    "renovate[bot]",
    "29139614+renovate[bot]@users.noreply.github.com",
    Zone::Utc,
);
/// The committer of pull-request merges made on github.com.
pub const GITHUB: Person = person("GitHub", "noreply@github.com", Zone::Utc);

/// The people who edit one area, in the order the churn picks from.
pub type Team = &'static [Person];

/// team-payments (Priya commits twice as often as each of Tomasz's addresses).
pub const PAYMENTS: Team = &[PRIYA, TOMASZ, PRIYA, TOMASZ_GITHUB];
/// team-data.
pub const DATA: Team = &[DANA, TOMASZ, DANA];
/// team-identity.
pub const IDENTITY: Team = &[KENJI, AISHA];
/// team-web.
pub const WEB: Team = &[LUCIA, MARCO];
/// team-messaging.
pub const MESSAGING: Team = &[OLA];
/// team-analytics.
pub const ANALYTICS: Team = &[NIAMH];
/// The platform team, who keep the docs.
pub const PLATFORM: Team = &[SAM, TOMASZ];
/// Bots.
pub const BOTS: Team = &[RENOVATE];
