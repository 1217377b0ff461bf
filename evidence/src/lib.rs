//! Vouch's evidence bundles: layout, manifest, sealing, signing (DSSE over an
//! in-toto Statement), verification and OSCAL export.
