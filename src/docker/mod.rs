//! The docker CLI's configuration: `config.json`, contexts, and which
//! daemon to talk to.

pub mod builders;
pub mod buildx;
pub mod config;
pub mod context;
pub mod credentials;
pub mod store;

pub use buildx::node_identifier;
pub use config::{config_dir, ConfigFile};
pub use context::{resolve_docker_host, resolve_docker_host_tls, DockerHost, DockerTls, TlsFlags};
pub use credentials::{AuthConfig, CredentialError, CredentialStore};
