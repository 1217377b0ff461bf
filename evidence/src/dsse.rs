//! DSSE envelopes (<https://github.com/secure-systems-lab/dsse>): the
//! pre-authentication encoding, signing with Ed25519 and checking a
//! signature against one trusted key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::keys::key_id;

/// The payload type of an in-toto Statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A DSSE envelope, as its JSON spells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The signed bytes, standard padded base64.
    pub payload: String,
    /// What the payload is.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// One signature per key.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature in an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The signer's key id: sha256 of its SPKI DER, lowercase hex.
    #[serde(default)]
    pub keyid: String,
    /// The Ed25519 signature over the PAE, standard padded base64.
    pub sig: String,
}

/// Why an envelope does not verify under the trusted key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The payload type is not the one expected.
    #[error("payload type is `{found}`, expected `{expected}`")]
    PayloadType {
        /// What the envelope says.
        found: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A base64 field does not decode.
    #[error("`{field}` is not standard base64: {reason}")]
    Base64 {
        /// The field.
        field: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// No signature names the trusted key.
    #[error("no signature by key `{expected}`; the envelope is signed by {found}")]
    WrongKey {
        /// The trusted key's id.
        expected: String,
        /// The key ids the envelope names.
        found: String,
    },
    /// The signature does not match the payload under the trusted key.
    #[error("the signature by key `{key_id}` does not match the signed statement")]
    BadSignature {
        /// The trusted key's id.
        key_id: String,
    },
}

/// The pre-authentication encoding DSSE signs:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Signs `payload` into an envelope; the envelope and its signature.
pub fn sign(payload_type: &str, payload: &[u8], key: &SigningKey) -> (Envelope, Signature) {
    let signature = key.sign(&pae(payload_type, payload));
    let envelope = Envelope {
        payload: STANDARD.encode(payload),
        payload_type: payload_type.to_owned(),
        signatures: vec![EnvelopeSignature {
            keyid: key_id(&key.verifying_key()),
            sig: STANDARD.encode(signature.to_bytes()),
        }],
    };
    (envelope, signature)
}

/// A payload whose signature checked, and that signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The payload bytes.
    pub payload: Vec<u8>,
    /// The signature that verified (what a time-stamp token stamps).
    pub signature: Vec<u8>,
}

/// Checks the envelope's signature by `key` and returns the payload bytes.
///
/// A signature whose `keyid` is empty is tried too: DSSE makes the key id an
/// optional hint.
pub fn verify(
    envelope: &Envelope,
    expected_type: &'static str,
    key: &VerifyingKey,
) -> Result<Verified, EnvelopeError> {
    if envelope.payload_type != expected_type {
        return Err(EnvelopeError::PayloadType {
            found: envelope.payload_type.clone(),
            expected: expected_type,
        });
    }
    let payload = STANDARD
        .decode(&envelope.payload)
        .map_err(|e| EnvelopeError::Base64 {
            field: "payload",
            reason: e.to_string(),
        })?;
    let id = key_id(key);
    let candidates: Vec<_> = envelope
        .signatures
        .iter()
        .filter(|s| s.keyid == id || s.keyid.is_empty())
        .collect();
    if candidates.is_empty() {
        let found = envelope
            .signatures
            .iter()
            .map(|s| format!("`{}`", s.keyid))
            .collect::<Vec<_>>();
        return Err(EnvelopeError::WrongKey {
            expected: id,
            found: if found.is_empty() {
                "no key at all".to_owned()
            } else {
                found.join(", ")
            },
        });
    }
    let message = pae(&envelope.payload_type, &payload);
    for candidate in candidates {
        let bytes = STANDARD
            .decode(&candidate.sig)
            .map_err(|e| EnvelopeError::Base64 {
                field: "signatures[].sig",
                reason: e.to_string(),
            })?;
        let Ok(signature) = Signature::from_slice(&bytes) else {
            continue;
        };
        if key.verify_strict(&message, &signature).is_ok() {
            return Ok(Verified {
                payload,
                signature: bytes,
            });
        }
    }
    Err(EnvelopeError::BadSignature { key_id: id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_spec_example() {
        // The DSSE protocol document's worked example.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn sign_then_verify_and_reject_tampering() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let (mut envelope, signature) = sign(IN_TOTO_PAYLOAD_TYPE, b"{}", &key);
        let verified = verify(&envelope, IN_TOTO_PAYLOAD_TYPE, &key.verifying_key()).unwrap();
        assert_eq!(verified.payload, b"{}".to_vec());
        assert_eq!(verified.signature, signature.to_bytes().to_vec());
        envelope.payload = STANDARD.encode(b"{\"a\":1}");
        assert!(matches!(
            verify(&envelope, IN_TOTO_PAYLOAD_TYPE, &key.verifying_key()),
            Err(EnvelopeError::BadSignature { .. })
        ));
        let other = SigningKey::from_bytes(&[8; 32]);
        assert!(matches!(
            verify(&envelope, IN_TOTO_PAYLOAD_TYPE, &other.verifying_key()),
            Err(EnvelopeError::WrongKey { .. })
        ));
    }
}
