//! Checking a time-stamp token: it stamps the given data, its content is what
//! the TSA signed, the TSA's CMS signature verifies under a certificate fit
//! for time-stamping, and (given trust anchors) that certificate is, or is
//! issued by, one the verifier trusts.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280::{
    ID_CE_BASIC_CONSTRAINTS, ID_CE_EXT_KEY_USAGE, ID_CE_SUBJECT_KEY_IDENTIFIER, ID_KP_TIME_STAMPING,
};
use const_oid::db::rfc5911::{ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA};
use der::asn1::OctetString;
use der::{Decode as _, Encode as _};
use miette::Diagnostic;
use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, SubjectKeyIdentifier};
use x509_tsp::TstInfo;

use super::signature::{self, Hash};

/// `id-ct-TSTInfo` (RFC 3161): the content type of a time-stamp token.
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// Longest issuer chain followed from the TSA's certificate to a trusted one.
const MAX_CHAIN: usize = 8;

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stamp {
    /// The time the TSA vouches for.
    pub time: DateTime<Utc>,
    /// The TSA: its certificate's subject (RFC 4514).
    pub tsa: String,
    /// The token's serial number, hex.
    pub serial: String,
    /// Whether the TSA's certificate is, or chains to, a trusted one.
    pub trusted: bool,
    /// The nonce the token carries, to match against the request's.
    #[serde(skip)]
    pub(super) nonce: Option<Vec<u8>>,
}

/// Why a token does not vouch for the data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not DER, not CMS `SignedData`, or not a `TSTInfo` inside.
    #[error("it is not an RFC 3161 time-stamp token: {reason}")]
    Corrupt {
        /// What was wrong.
        reason: String,
    },
    /// The token stamps other data.
    #[error(
        "it stamps {algorithm} {stamped}, but the signature's {algorithm} is {actual}: it is a token for other data"
    )]
    Imprint {
        /// The hash the token names.
        algorithm: &'static str,
        /// The digest the token stamps, hex.
        stamped: String,
        /// The digest of the data, hex.
        actual: String,
    },
    /// The `TSTInfo` differs from the digest the TSA signed.
    #[error(
        "its time-stamp info does not match the digest the TSA signed: the token was altered after signing"
    )]
    ContentDigest,
    /// The signer's certificate is not in the token nor among the trusted ones.
    #[error("it does not carry its signer's certificate, and no trusted certificate matches")]
    NoSigner,
    /// The TSA's signature does not verify.
    #[error(
        "the TSA's signature on it does not verify ({reason}): the token was altered or forged"
    )]
    Signature {
        /// What the check said.
        reason: String,
    },
    /// The signer's certificate is not for time-stamping.
    #[error(
        "its signer `{subject}` is not a time-stamping certificate: RFC 3161 requires a critical extendedKeyUsage of timeStamping alone"
    )]
    NotForTimeStamping {
        /// The certificate's subject.
        subject: String,
    },
    /// The stamped time is outside the signer certificate's validity.
    #[error("its time {time} is outside the validity of its signer `{subject}`'s certificate")]
    OutsideValidity {
        /// The certificate's subject.
        subject: String,
        /// The stamped time.
        time: String,
    },
    /// The TSA is not trusted.
    #[error(
        "its TSA `{subject}` is not trusted: its certificate neither is nor is issued by a `--tsa-cert` certificate"
    )]
    Untrusted {
        /// The certificate's subject.
        subject: String,
    },
}

/// Certificates trusted to vouch for time: TSA certificates themselves, or
/// the CAs that issue them.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    certificates: Vec<Certificate>,
}

/// Why trusted certificates could not be read.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot read TSA certificates from `{}`: {reason}", path.display())]
#[diagnostic(
    code(vouch::tsa::trust),
    help(
        "`--tsa-cert` takes a PEM (or DER) file with the TSA's certificate or the CA that issued it"
    )
)]
pub struct TrustError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

impl Trust {
    /// Reads one or more certificates, PEM or DER.
    pub fn read(path: &Path) -> Result<Self, TrustError> {
        let fail = |reason: String| TrustError {
            path: path.to_path_buf(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let certificates = if bytes.starts_with(b"-----") {
            Certificate::load_pem_chain(&bytes).map_err(|e| fail(e.to_string()))?
        } else {
            vec![Certificate::from_der(&bytes).map_err(|e| fail(e.to_string()))?]
        };
        if certificates.is_empty() {
            return Err(fail("it holds no certificate".to_owned()));
        }
        Ok(Self { certificates })
    }
}

/// Checks that the DER `token` stamps `data`, and (with `trust`) that its TSA
/// is trusted; what it says when it does.
pub fn check(token: &[u8], data: &[u8], trust: Option<&Trust>) -> Result<Stamp, TokenError> {
    let (signed, tst_der, tst) = open(token)?;
    let [signer] = signed.signer_infos.0.as_slice() else {
        return Err(TokenError::Corrupt {
            reason: format!(
                "it has {} signers, expected one",
                signed.signer_infos.0.len()
            ),
        });
    };
    let digest = Hash::from_oid(signer.digest_alg.oid).ok_or_else(|| TokenError::Corrupt {
        reason: format!("unsupported digest {}", signer.digest_alg.oid),
    })?;
    let attributes = check_attributes(signer, digest, &tst_der)?;

    let carried: Vec<&Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(cert) => Some(cert),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let anchors: Vec<&Certificate> = trust.iter().flat_map(|t| &t.certificates).collect();
    let certificate = carried
        .iter()
        .chain(&anchors)
        .find(|cert| identifies(&signer.sid, cert))
        .copied()
        .ok_or(TokenError::NoSigner)?;
    signature::verify(
        &certificate.tbs_certificate.subject_public_key_info,
        signer.signature_algorithm.oid,
        Some(digest),
        &attributes,
        signer.signature.as_bytes(),
    )
    .map_err(|reason| TokenError::Signature { reason })?;

    let subject = certificate.tbs_certificate.subject.to_string();
    if !for_time_stamping(certificate) {
        return Err(TokenError::NotForTimeStamping { subject });
    }
    let time = DateTime::<Utc>::from(tst.gen_time.to_system_time());
    let validity = &certificate.tbs_certificate.validity;
    if time < DateTime::<Utc>::from(validity.not_before.to_system_time())
        || time > DateTime::<Utc>::from(validity.not_after.to_system_time())
    {
        return Err(TokenError::OutsideValidity {
            subject,
            time: time.to_rfc3339(),
        });
    }
    // Only once the token is known unaltered can it be said to stamp other data.
    check_imprint(&tst, data)?;
    let trusted = match trust {
        None => false,
        Some(_) if chains(certificate, &carried, &anchors) => true,
        Some(_) => return Err(TokenError::Untrusted { subject }),
    };
    Ok(Stamp {
        time,
        tsa: subject,
        serial: hex::encode(tst.serial_number.as_bytes()),
        trusted,
        nonce: tst.nonce.map(|n| n.as_bytes().to_vec()),
    })
}

/// The token's signed data, and the time-stamp info inside as DER and decoded.
fn open(token: &[u8]) -> Result<(SignedData, Vec<u8>, TstInfo), TokenError> {
    let corrupt = |reason: String| TokenError::Corrupt { reason };
    let info = ContentInfo::from_der(token).map_err(|e| corrupt(e.to_string()))?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(corrupt(format!(
            "content type {} is not signed data",
            info.content_type
        )));
    }
    let signed = info
        .content
        .decode_as::<SignedData>()
        .map_err(|e| corrupt(format!("signed data: {e}")))?;
    let content = &signed.encap_content_info;
    if content.econtent_type != ID_CT_TST_INFO {
        return Err(corrupt(format!(
            "content {} is not time-stamp info",
            content.econtent_type
        )));
    }
    let tst_der = content
        .econtent
        .as_ref()
        .map(|c| c.value().to_vec())
        .ok_or_else(|| corrupt("it has no time-stamp info".to_owned()))?;
    let tst = TstInfo::from_der(&tst_der).map_err(|e| corrupt(format!("time-stamp info: {e}")))?;
    Ok((signed, tst_der, tst))
}

/// The token's message imprint is the digest of `data`.
fn check_imprint(tst: &TstInfo, data: &[u8]) -> Result<(), TokenError> {
    let imprint = &tst.message_imprint;
    let hash = Hash::from_oid(imprint.hash_algorithm.oid).ok_or_else(|| TokenError::Corrupt {
        reason: format!("unsupported imprint hash {}", imprint.hash_algorithm.oid),
    })?;
    let actual = hash.digest(data);
    if imprint.hashed_message.as_bytes() == actual.as_slice() {
        return Ok(());
    }
    Err(TokenError::Imprint {
        algorithm: hash.name(),
        stamped: hex::encode(imprint.hashed_message.as_bytes()),
        actual: hex::encode(actual),
    })
}

/// The DER of the signed attributes the TSA signed, after checking they name
/// the time-stamp info and carry its digest.
fn check_attributes(signer: &SignerInfo, digest: Hash, tst: &[u8]) -> Result<Vec<u8>, TokenError> {
    let corrupt = |reason: &str| TokenError::Corrupt {
        reason: reason.to_owned(),
    };
    let attributes = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| corrupt("its signer has no signed attributes"))?;
    let value = |oid: ObjectIdentifier| {
        attributes
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };
    let content_type = value(ID_CONTENT_TYPE)
        .and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| corrupt("its signed attributes lack a content type"))?;
    if content_type != ID_CT_TST_INFO {
        return Err(corrupt("its signed content type is not time-stamp info"));
    }
    let signed_digest = value(ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| corrupt("its signed attributes lack a message digest"))?;
    if signed_digest.as_bytes() != digest.digest(tst).as_slice() {
        return Err(TokenError::ContentDigest);
    }
    // The signature covers the attributes' DER as a SET (RFC 5652 §5.4).
    attributes
        .to_der()
        .map_err(|e| corrupt(&format!("its signed attributes do not encode: {e}")))
}

/// Whether `cert` is the one a signer identifier names.
fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = &cert.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            id.issuer == tbs.issuer && id.serial_number == tbs.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(id) => {
            extension::<SubjectKeyIdentifier>(cert, ID_CE_SUBJECT_KEY_IDENTIFIER)
                .is_some_and(|(_, ski)| ski == *id)
        }
    }
}

/// RFC 3161 §2.3: the extended key usage is critical and timeStamping alone.
fn for_time_stamping(cert: &Certificate) -> bool {
    extension::<ExtendedKeyUsage>(cert, ID_CE_EXT_KEY_USAGE)
        .is_some_and(|(critical, eku)| critical && eku.0 == [ID_KP_TIME_STAMPING])
}

/// Whether `cert` is a trusted one, or is issued by one through CAs the token carries.
fn chains(cert: &Certificate, carried: &[&Certificate], anchors: &[&Certificate]) -> bool {
    let mut current = cert;
    for _ in 0..MAX_CHAIN {
        if anchors
            .iter()
            .any(|anchor| *anchor == current || issued_by(current, anchor))
        {
            return true;
        }
        let is_ca = |c: &Certificate| {
            extension::<BasicConstraints>(c, ID_CE_BASIC_CONSTRAINTS).is_some_and(|(_, b)| b.ca)
        };
        match carried
            .iter()
            .find(|c| **c != current && is_ca(c) && issued_by(current, c))
        {
            Some(issuer) => current = issuer,
            None => return false,
        }
    }
    false
}

/// Whether `issuer` signed `cert`.
fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    cert.tbs_certificate.issuer == issuer.tbs_certificate.subject
        && cert.tbs_certificate.to_der().is_ok_and(|tbs| {
            signature::verify(
                &issuer.tbs_certificate.subject_public_key_info,
                cert.signature_algorithm.oid,
                None,
                &tbs,
                cert.signature.raw_bytes(),
            )
            .is_ok()
        })
}

/// An extension of `cert`, decoded, with its criticality.
fn extension<'a, T: der::Decode<'a>>(
    cert: &'a Certificate,
    oid: ObjectIdentifier,
) -> Option<(bool, T)> {
    let ext = cert
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)?;
    T::from_der(ext.extn_value.as_bytes())
        .ok()
        .map(|value| (ext.critical, value))
}
