//! The registry calls' errors: which registry, which call, and what went
//! wrong, in words that name no credential.

use super::token::TokenError;
use super::CredentialLookupError;

/// One distribution API call the client makes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Call {
    /// `GET /v2/<repository>/manifests/<reference>`.
    GetManifest {
        /// The repository path (`library/alpine`).
        repository: String,
        /// A tag or a digest.
        reference: String,
    },
    /// `GET /v2/<repository>/blobs/<digest>`.
    GetBlob {
        /// The repository path.
        repository: String,
        /// The blob's digest.
        digest: String,
    },
    /// `PUT /v2/<repository>/manifests/<tag>`.
    PutManifest {
        /// The repository path.
        repository: String,
        /// The tag put.
        tag: String,
    },
}

impl Call {
    /// The HTTP method.
    pub fn method(&self) -> &'static str {
        match self {
            Call::GetManifest { .. } | Call::GetBlob { .. } => "GET",
            Call::PutManifest { .. } => "PUT",
        }
    }

    /// The request's path on the registry.
    pub fn path(&self) -> String {
        match self {
            Call::GetManifest {
                repository,
                reference,
            } => format!("/v2/{repository}/manifests/{reference}"),
            Call::GetBlob { repository, digest } => format!("/v2/{repository}/blobs/{digest}"),
            Call::PutManifest { repository, tag } => format!("/v2/{repository}/manifests/{tag}"),
        }
    }

    /// The repository path.
    pub fn repository(&self) -> &str {
        match self {
            Call::GetManifest { repository, .. }
            | Call::GetBlob { repository, .. }
            | Call::PutManifest { repository, .. } => repository,
        }
    }

    /// The token scope's actions the call needs (`pull`, `pull,push`).
    pub(crate) fn actions(&self) -> &'static str {
        match self {
            Call::GetManifest { .. } | Call::GetBlob { .. } => "pull",
            Call::PutManifest { .. } => "pull,push",
        }
    }
}

/// Why a registry call failed. The texts are the ones the CLI prints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The registry answered with a status the call does not take.
    #[error("{} {url}: unexpected status {status}: {detail}", call.method())]
    Status {
        /// The registry host (`127.0.0.1:5000`, `registry-1.docker.io`).
        host: String,
        /// What was asked.
        call: Call,
        /// The URL asked.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the answer's body (at most 300 characters).
        detail: String,
    },
    /// The registry could not be reached, or the exchange broke or took
    /// too long.
    #[error("{} {url}: {reason}", call.method())]
    Transport {
        /// The registry host.
        host: String,
        /// What was asked.
        call: Call,
        /// The URL asked (a blob's storage URL after a redirect).
        url: String,
        /// What went wrong (`dial tcp ADDR: connect: connection refused`).
        reason: String,
    },
    /// No URL can be made of the host and the call.
    #[error("bad registry URL for {host}: {reason}")]
    Url {
        /// The registry host.
        host: String,
        /// What was asked.
        call: Call,
        /// Why the URL is not one.
        reason: String,
    },
    /// A blob read was redirected to something that is not a URL.
    #[error("bad redirect {location:?} for {}", call.path())]
    Redirect {
        /// The registry host.
        host: String,
        /// What was asked.
        call: Call,
        /// The `Location` header.
        location: String,
    },
    /// The registry's credentials could not be read.
    #[error("{source}")]
    Credentials {
        /// The registry host.
        host: String,
        /// What was asked.
        call: Call,
        /// The credential store's error (the solve's is a
        /// [`CredentialError`](crate::docker::CredentialError)).
        #[source]
        source: CredentialLookupError,
    },
    /// The registry asked for a Bearer token that could not be fetched.
    #[error("{source}")]
    Token {
        /// The registry host.
        host: String,
        /// What was asked.
        call: Call,
        /// The token fetch's error.
        #[source]
        source: TokenError,
    },
}

impl RegistryError {
    /// The registry host the call went to.
    pub fn host(&self) -> &str {
        match self {
            RegistryError::Status { host, .. }
            | RegistryError::Transport { host, .. }
            | RegistryError::Url { host, .. }
            | RegistryError::Redirect { host, .. }
            | RegistryError::Credentials { host, .. }
            | RegistryError::Token { host, .. } => host,
        }
    }

    /// What was asked.
    pub fn call(&self) -> &Call {
        match self {
            RegistryError::Status { call, .. }
            | RegistryError::Transport { call, .. }
            | RegistryError::Url { call, .. }
            | RegistryError::Redirect { call, .. }
            | RegistryError::Credentials { call, .. }
            | RegistryError::Token { call, .. } => call,
        }
    }

    /// The HTTP status the registry (or its token server) answered with,
    /// when that is what failed.
    pub fn status(&self) -> Option<u16> {
        match self {
            RegistryError::Status { status, .. } => Some(*status),
            RegistryError::Token { source, .. } => source.status(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_name_their_paths() {
        let c = Call::GetManifest {
            repository: "library/alpine".into(),
            reference: "sha256:aa".into(),
        };
        assert_eq!(
            (c.method(), c.path().as_str(), c.actions()),
            ("GET", "/v2/library/alpine/manifests/sha256:aa", "pull")
        );
        let c = Call::GetBlob {
            repository: "a/b".into(),
            digest: "sha256:bb".into(),
        };
        assert_eq!(c.path(), "/v2/a/b/blobs/sha256:bb");
        let c = Call::PutManifest {
            repository: "a".into(),
            tag: "v1".into(),
        };
        assert_eq!(
            (c.method(), c.path().as_str(), c.actions()),
            ("PUT", "/v2/a/manifests/v1", "pull,push")
        );
    }

    #[test]
    fn texts_as_before() {
        let call = Call::PutManifest {
            repository: "a".into(),
            tag: "v1".into(),
        };
        let e = RegistryError::Status {
            host: "127.0.0.1:5000".into(),
            call: call.clone(),
            url: "http://127.0.0.1:5000/v2/a/manifests/v1".into(),
            status: 400,
            detail: "bad".into(),
        };
        assert_eq!(
            e.to_string(),
            "PUT http://127.0.0.1:5000/v2/a/manifests/v1: unexpected status 400: bad"
        );
        assert_eq!((e.host(), e.status()), ("127.0.0.1:5000", Some(400)));
        let e = RegistryError::Redirect {
            host: "r".into(),
            call: Call::GetBlob {
                repository: "a".into(),
                digest: "sha256:cc".into(),
            },
            location: "::".into(),
        };
        assert_eq!(
            e.to_string(),
            r#"bad redirect "::" for /v2/a/blobs/sha256:cc"#
        );
    }
}
