//! Checking a signature made with the algorithms TSAs and their CAs use:
//! RSA PKCS #1 v1.5 and ECDSA on P-256 or P-384, with SHA-2.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_EC_PUBLIC_KEY, ID_SHA_256,
    ID_SHA_384, ID_SHA_512, RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION,
    SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
};
use der::Encode as _;
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use rsa::pkcs8::DecodePublicKey as _;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

/// A SHA-2 hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The hash an algorithm identifier names, if it is one of these.
    pub(super) fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        match oid {
            ID_SHA_256 => Some(Self::Sha256),
            ID_SHA_384 => Some(Self::Sha384),
            ID_SHA_512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// Its name, as `openssl dgst` spells it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// The digest of `data`.
    pub(super) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

enum Scheme {
    Rsa,
    Ecdsa,
}

/// Checks `signature` over `message` by the key `spki`. `algorithm` is a
/// signature algorithm (`sha256WithRSAEncryption`, `ecdsa-with-SHA384`, ...)
/// or, as CMS allows, a bare key algorithm whose hash is then `digest`.
pub(super) fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: ObjectIdentifier,
    digest: Option<Hash>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let (scheme, hash) = match algorithm {
        SHA_256_WITH_RSA_ENCRYPTION => (Scheme::Rsa, Some(Hash::Sha256)),
        SHA_384_WITH_RSA_ENCRYPTION => (Scheme::Rsa, Some(Hash::Sha384)),
        SHA_512_WITH_RSA_ENCRYPTION => (Scheme::Rsa, Some(Hash::Sha512)),
        RSA_ENCRYPTION => (Scheme::Rsa, digest),
        ECDSA_WITH_SHA_256 => (Scheme::Ecdsa, Some(Hash::Sha256)),
        ECDSA_WITH_SHA_384 => (Scheme::Ecdsa, Some(Hash::Sha384)),
        ECDSA_WITH_SHA_512 => (Scheme::Ecdsa, Some(Hash::Sha512)),
        ID_EC_PUBLIC_KEY => (Scheme::Ecdsa, digest),
        other => return Err(format!("unsupported signature algorithm {other}")),
    };
    let hash =
        hash.ok_or_else(|| format!("no supported hash for signature algorithm {algorithm}"))?;
    let hashed = hash.digest(message);
    let key = spki.to_der().map_err(|e| e.to_string())?;
    match scheme {
        Scheme::Rsa => {
            let key = RsaPublicKey::from_public_key_der(&key)
                .map_err(|e| format!("the key is not an RSA key: {e}"))?;
            let padding = match hash {
                Hash::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                Hash::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
                Hash::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
            };
            key.verify(padding, &hashed, signature)
                .map_err(|_| "the RSA signature does not match".to_owned())
        }
        Scheme::Ecdsa => {
            let bad = |_| "the ECDSA signature does not match".to_owned();
            if let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_der(&key) {
                let signature = p256::ecdsa::Signature::from_der(signature).map_err(bad)?;
                key.verify_prehash(&hashed, &signature).map_err(bad)
            } else if let Ok(key) = p384::ecdsa::VerifyingKey::from_public_key_der(&key) {
                let signature = p384::ecdsa::Signature::from_der(signature).map_err(bad)?;
                key.verify_prehash(&hashed, &signature).map_err(bad)
            } else {
                Err("the key is not an ECDSA key on P-256 or P-384".to_owned())
            }
        }
    }
}
