//! Parsing large JSON one element at a time: an evidence set or assessment of
//! a large organisation holds a million records, so neither is ever held whole.
//! Sealing reads through it, and so does `vouch report`.

use std::fmt;
use std::io::{self, BufReader, Read};
use std::sync::mpsc;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};

use crate::digest::BUFFER;

/// Findings passed between threads at once: one at a time, the threads
/// would spend more time waking each other than working.
const BATCH: usize = 256;
/// Batches parsed ahead of the handler.
const AHEAD: usize = 4;

/// Why a streamed parse stopped.
#[derive(Debug)]
pub enum Stopped {
    /// The JSON does not parse as expected, or could not be read.
    Json(serde_json::Error),
    /// The element handler failed.
    Handler(io::Error),
}

/// A handler of each parsed element.
pub type Each<'h, T> = dyn FnMut(T) -> io::Result<()> + 'h;

/// Parses `reader` as one JSON array, handing each element to `each` in order.
pub fn array<T: DeserializeOwned>(
    reader: impl Read,
    each: &mut Each<'_, T>,
) -> Result<(), Stopped> {
    let mut failed = None;
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(BUFFER, reader));
    let parsed = Elements {
        each,
        failed: &mut failed,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    stopped(parsed, failed)
}

/// Parses `reader` as an assessment object, handing each element of its
/// `findings` array to `finding` in order and every other member to
/// `member`; returns whether it has `findings`. A second `findings` member is
/// refused: it would replace the first.
pub fn assessment<M: DeserializeOwned, T: DeserializeOwned>(
    reader: impl Read,
    member: &mut dyn FnMut(String, M) -> io::Result<()>,
    finding: &mut Each<'_, T>,
) -> Result<bool, Stopped> {
    let mut failed = None;
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(BUFFER, reader));
    let parsed = de
        .deserialize_map(Members {
            member,
            finding,
            failed: &mut failed,
        })
        .and_then(|findings| de.end().map(|()| findings));
    stopped(parsed, failed)
}

/// The findings of the assessment in `reader`, as [`assessment`] hands them
/// on, parsed on another thread so that `finding` (encoding and writing)
/// runs beside the parser on a second core.
pub(crate) fn findings_beside<T: DeserializeOwned + Send>(
    reader: impl Read + Send,
    finding: &mut Each<'_, T>,
) -> Result<(), Stopped> {
    let (send, receive) = mpsc::sync_channel::<Vec<T>>(AHEAD);
    std::thread::scope(|scope| {
        let parser = scope.spawn(move || {
            // Refused only once the handler has failed, which is reported instead.
            let refused = |_| io::Error::other("the handler stopped");
            let mut batch = Vec::with_capacity(BATCH);
            let parsed = assessment(reader, &mut |_, _: IgnoredAny| Ok(()), &mut |item: T| {
                batch.push(item);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    send.send(full).map_err(refused)?;
                }
                Ok(())
            })?;
            send.send(batch).map_err(|e| Stopped::Handler(refused(e)))?;
            Ok(parsed)
        });
        let handled = receive.iter().flatten().try_for_each(&mut *finding);
        drop(receive);
        let parsed = parser
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        handled.map_err(Stopped::Handler)?;
        parsed.map(|_| ())
    })
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(error) => error.fmt(f),
            Self::Handler(error) => error.fmt(f),
        }
    }
}

fn stopped<T>(
    parsed: Result<T, serde_json::Error>,
    failed: Option<io::Error>,
) -> Result<T, Stopped> {
    match (parsed, failed) {
        (_, Some(error)) => Err(Stopped::Handler(error)),
        (Err(error), None) => Err(Stopped::Json(error)),
        (Ok(parsed), None) => Ok(parsed),
    }
}

/// A handler's result, its error kept whole: serde carries only a message.
fn kept<E: de::Error>(handled: io::Result<()>, failed: &mut Option<io::Error>) -> Result<(), E> {
    handled.map_err(|error| {
        let message = error.to_string();
        *failed = Some(error);
        E::custom(message)
    })
}

/// The elements of an array, each handed on as parsed.
struct Elements<'a, 'h, T> {
    each: &'a mut Each<'h, T>,
    failed: &'a mut Option<io::Error>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Elements<'_, '_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Elements<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<T>()? {
            kept((self.each)(item), self.failed)?;
        }
        Ok(())
    }
}

/// The members of an assessment object.
struct Members<'a, 'h, M, T> {
    member: &'a mut dyn FnMut(String, M) -> io::Result<()>,
    finding: &'a mut Each<'h, T>,
    failed: &'a mut Option<io::Error>,
}

impl<'de, M: DeserializeOwned, T: DeserializeOwned> Visitor<'de> for Members<'_, '_, M, T> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an assessment object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut findings = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "findings" {
                if findings {
                    return Err(de::Error::duplicate_field("findings"));
                }
                findings = true;
                map.next_value_seed(Elements {
                    each: &mut *self.finding,
                    failed: &mut *self.failed,
                })?;
            } else {
                let value = map.next_value::<M>()?;
                kept((self.member)(key, value), self.failed)?;
            }
        }
        Ok(findings)
    }
}
