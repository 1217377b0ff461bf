//! Asking a Time-Stamp Authority for a token (RFC 3161 §3.4, over HTTP): a
//! `TimeStampReq` with the data's sha256, a fresh nonce and a request for the
//! TSA's certificate, POSTed as `application/timestamp-query`.

use std::io::Read as _;
use std::time::Duration;

use cmpv2::status::PkiStatus;
use const_oid::db::rfc5912::ID_SHA_256;
use der::asn1::{Int, OctetString};
use der::{Any, Decode as _, Encode as _};
use miette::Diagnostic;
use sha2::{Digest as _, Sha256};
use x509_cert::spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

use super::token::{self, Stamp, TokenError};

/// Largest response read: a token with a certificate chain is a few KiB.
const MAX_RESPONSE: u64 = 1024 * 1024;
/// How long to wait for the TSA.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why no token was obtained.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum TsaError {
    /// The TSA could not be reached or did not answer.
    #[error("cannot reach the time-stamp authority `{url}`: {reason}")]
    #[diagnostic(
        code(vouch::tsa::unreachable),
        help(
            "check `--tsa` (an RFC 3161 URL such as `http://timestamp.example/`) and the network; without `--tsa` the bundle has no trusted time"
        )
    )]
    Unreachable {
        /// The TSA.
        url: String,
        /// What the client said.
        reason: String,
    },
    /// The TSA answered with an HTTP error.
    #[error("the time-stamp authority `{url}` answered HTTP {status}")]
    #[diagnostic(
        code(vouch::tsa::http),
        help(
            "`--tsa` must be the TSA's RFC 3161 endpoint, which takes POSTed `application/timestamp-query`"
        )
    )]
    Http {
        /// The TSA.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The answer is not a time-stamp response.
    #[error(
        "the time-stamp authority `{url}` sent something that is not an RFC 3161 response: {reason}"
    )]
    #[diagnostic(
        code(vouch::tsa::response),
        help("`--tsa` must be the TSA's RFC 3161 endpoint")
    )]
    Response {
        /// The TSA.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The TSA refused to stamp.
    #[error("the time-stamp authority `{url}` refused the request: status {status}{text}")]
    #[diagnostic(
        code(vouch::tsa::rejected),
        help("the TSA's operator can say why; it must accept sha256 imprints")
    )]
    Rejected {
        /// The PKI status.
        status: String,
        /// The TSA's own words, if any.
        text: String,
        /// The TSA.
        url: String,
    },
    /// The token is invalid, or not for this request.
    #[error("the time-stamp authority `{url}` sent a token that does not check: {reason}")]
    #[diagnostic(
        code(vouch::tsa::token),
        help("the TSA is misbehaving, or something between here and it altered the answer")
    )]
    Token {
        /// The TSA.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

/// Asks the TSA at `url` to stamp `data`; the token (DER) and what it says,
/// checked: status granted, the imprint and nonce are this request's, and the
/// TSA's signature verifies under the certificate it carries.
pub fn timestamp(url: &str, data: &[u8]) -> Result<(Vec<u8>, Stamp), TsaError> {
    let response = |reason: String| TsaError::Response {
        url: url.to_owned(),
        reason,
    };
    let mut nonce = [0u8; 8];
    getrandom::getrandom(&mut nonce).map_err(|e| TsaError::Unreachable {
        url: url.to_owned(),
        reason: format!("no randomness for a nonce: {e}"),
    })?;
    // A positive INTEGER in its shortest form: no leading 0x00, high bit clear.
    nonce[0] = (nonce[0] & 0x7f).max(1);
    let request = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifier {
                oid: ID_SHA_256,
                parameters: Some(Any::null()),
            },
            hashed_message: OctetString::new(Sha256::digest(data).to_vec())
                .map_err(|e| response(e.to_string()))?,
        },
        req_policy: None,
        nonce: Some(Int::new(&nonce).map_err(|e| response(e.to_string()))?),
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .map_err(|e| response(e.to_string()))?;

    let body = post(url, request)?;
    let answer = TimeStampResp::from_der(&body).map_err(|e| response(e.to_string()))?;
    if !matches!(
        answer.status.status,
        PkiStatus::Accepted | PkiStatus::GrantedWithMods
    ) {
        let text = answer
            .status
            .status_string
            .iter()
            .flat_map(|texts| texts.iter())
            .map(|t| t.to_string())
            .collect::<Vec<_>>();
        return Err(TsaError::Rejected {
            url: url.to_owned(),
            status: format!("{:?}", answer.status.status),
            text: if text.is_empty() {
                String::new()
            } else {
                format!(" ({})", text.join("; "))
            },
        });
    }
    let token = answer
        .time_stamp_token
        .ok_or_else(|| response("status granted but no token".to_owned()))?
        .to_der()
        .map_err(|e| response(e.to_string()))?;
    let bad = |e: TokenError| TsaError::Token {
        url: url.to_owned(),
        reason: e.to_string(),
    };
    let stamp = token::check(&token, data, None).map_err(bad)?;
    if stamp.nonce.as_deref() != Some(nonce.as_slice()) {
        return Err(TsaError::Token {
            url: url.to_owned(),
            reason: "its nonce is not the request's: it answers another request".to_owned(),
        });
    }
    Ok((token, stamp))
}

/// POSTs a time-stamp query; the response body.
fn post(url: &str, request: Vec<u8>) -> Result<Vec<u8>, TsaError> {
    let unreachable = |reason: String| TsaError::Unreachable {
        url: url.to_owned(),
        reason,
    };
    let client = reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| unreachable(e.to_string()))?;
    let answer = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/timestamp-query")
        .body(request)
        .send()
        .map_err(|e| unreachable(error_chain(&e)))?;
    if !answer.status().is_success() {
        return Err(TsaError::Http {
            url: url.to_owned(),
            status: answer.status().as_u16(),
        });
    }
    let mut body = Vec::new();
    answer
        .take(MAX_RESPONSE)
        .read_to_end(&mut body)
        .map_err(|e| unreachable(e.to_string()))?;
    Ok(body)
}

/// An error and its causes on one line: reqwest's own message is only "error
/// sending request".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
