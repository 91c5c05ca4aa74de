//! The TLS crypto provider of every TLS connection rkbuild makes (a TLS
//! builder, a docker daemon's `--tlsverify` API, a registry or its token
//! service), in one place.

use std::sync::Arc;

use tokio_rustls::rustls::crypto::{self, CryptoProvider};

/// The rustls provider of every TLS connection rkbuild makes (a TLS
/// builder, a registry's token service): the program's process-wide
/// default when it installed one (`CryptoProvider::install_default`, e.g.
/// aws-lc-rs for post-quantum key exchange), else *ring*, the provider
/// this crate and tonic's `tls-ring` are built with.
pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    if let Some(installed) = CryptoProvider::get_default() {
        return installed.clone();
    }
    // rustls 0.23.48 deprecates ring's provider as having no post-quantum
    // key exchange; ring is still the provider rkbuild depends on (no C
    // toolchain or cmake to build it), and a program that wants another
    // installs it as the process default.
    #[allow(deprecated)]
    let ring = crypto::ring::default_provider();
    Arc::new(ring)
}
