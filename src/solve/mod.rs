//! Solves: frontend attributes, exporters, and running one build with its
//! session, progress and outputs.
//!
//! [`solve`] runs three things at once, as BuildKit's own client does:
//! the session (serving files and credentials), `Control.Solve`, and
//! `Control.Status` for progress. Dropping the returned future cancels the
//! build on the daemon (the calls are reset).

pub mod attest;
pub mod cache;
pub mod dockerfile;
pub mod export;
pub mod git;
pub(crate) mod imagetools;
pub mod inspect;
pub(crate) mod load;
pub(crate) mod moby;
pub mod multi;
pub(crate) mod ocilayout;
pub mod options;
pub mod policy;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

pub use export::{Export, ExportOutput};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::progress::event::SolveStatus;
use crate::proto::moby::buildkit::v1 as control;
use crate::session::{self, Attachable, Session};

/// Everything a solve needs (BuildKit's `client.SolveOpt`).
///
/// [`solve`] serves, on the build's session, the file sync of
/// [`local_dirs`](Self::local_dirs), the uploads, the OCI stores, the
/// service receiving file outputs, and every service in
/// [`session`](Self::session): credentials
/// ([`AuthService`](crate::session::auth::AuthService)), secrets, SSH, or
/// one of the caller's own ([`Attachable`]).
#[derive(Debug, Default)]
pub struct SolveOptions {
    /// Build reference (random if empty); progress and history use it.
    pub reference: String,
    /// Frontend, e.g. `dockerfile.v0`.
    pub frontend: String,
    /// Frontend attributes (`filename`, `target`, `build-arg:X`, ...).
    pub frontend_attrs: BTreeMap<String, String>,
    /// Local directories the frontend may read, by name (`context`,
    /// `dockerfile`, named contexts).
    pub local_dirs: BTreeMap<String, PathBuf>,
    /// Exports (outputs).
    pub exports: Vec<Export>,
    /// Entitlements (`network.host`, `security.insecure`).
    pub entitlements: Vec<String>,
    /// Cache imports (type and attributes).
    pub cache_imports: Vec<(String, BTreeMap<String, String>)>,
    /// Cache exports (type and attributes).
    pub cache_exports: Vec<(String, BTreeMap<String, String>)>,
    /// Session name (buildx: base name of the working directory).
    pub session_name: String,
    /// Session shared key (buildx: `<context base name>:<node id>`).
    pub shared_key: String,
    /// Further services on the build's session (BuildKit's
    /// `SolveOpt.Session`), attached as given.
    pub session: Vec<Box<dyn Attachable + Send>>,
    /// Where an [`ExportOutput::Stdout`] export writes (the CLI gives the
    /// process's standard output; nothing else writes there).
    pub stdout: Option<OutputWriter>,
    /// Byte streams served through the session's Upload service (a tar
    /// context from stdin), when set.
    pub uploads: Option<session::upload::UploadService>,
    /// How the session connects (see [`session::Transport`]).
    pub session_transport: session::Transport,
    /// OCI layout directories the daemon may read blobs from, by store id
    /// (BuildKit's `SolveOpt.OCIStores`): served through the session's
    /// content service as store `oci:<id>`, named by `oci-layout://<id>...`
    /// frontend attributes.
    pub oci_stores: BTreeMap<String, PathBuf>,
    /// Local cache directories (`--cache-from/--cache-to type=local`),
    /// served as content stores and recorded after the solve.
    pub local_caches: cache::LocalCaches,
    /// Registry credentials: served to the daemon (the session's Auth
    /// service, with client-side token fetches) and used for pushes through
    /// the docker daemon. `None`: no credentials at all.
    pub credentials: Option<crate::docker::CredentialStore>,
    /// The docker daemon an [`ExportOutput::Load`] export loads into
    /// (`--load` on a builder that does not share its image store).
    pub docker_api: Option<crate::client::Endpoint>,
    /// A source policy sent with the solve (`EXPERIMENTAL_BUILDKIT_SOURCE_POLICY`,
    /// see [`policy`]).
    pub source_policy: Option<crate::proto::moby::buildkit::v1::sourcepolicy::Policy>,
    /// Warnings found while preparing the solve (a local cache that cannot
    /// be imported); the caller shows them.
    pub warnings: Vec<String>,
}

impl SolveOptions {
    /// A copy for another node of the same build: everything but the
    /// session services, standard output and the warnings (those belong
    /// to one solve).
    pub fn fork(&self) -> SolveOptions {
        SolveOptions {
            reference: self.reference.clone(),
            frontend: self.frontend.clone(),
            frontend_attrs: self.frontend_attrs.clone(),
            local_dirs: self.local_dirs.clone(),
            exports: self.exports.clone(),
            entitlements: self.entitlements.clone(),
            cache_imports: self.cache_imports.clone(),
            cache_exports: self.cache_exports.clone(),
            session_name: self.session_name.clone(),
            shared_key: self.shared_key.clone(),
            session: Vec::new(),
            stdout: None,
            uploads: self.uploads.clone(),
            session_transport: self.session_transport,
            oci_stores: self.oci_stores.clone(),
            local_caches: self.local_caches.clone(),
            credentials: self.credentials.clone(),
            docker_api: self.docker_api.clone(),
            source_policy: self.source_policy.clone(),
            warnings: Vec::new(),
        }
    }
}
/// A writer for an output's byte stream ([`SolveOptions::stdout`]).
/// Clones share the writer: the first solve that writes an output to
/// standard output takes it.
#[derive(Clone)]
pub struct OutputWriter(Arc<Mutex<Option<Box<dyn std::io::Write + Send>>>>);

impl OutputWriter {
    /// Wraps `w` (e.g. `std::io::stdout()`).
    pub fn new(w: impl std::io::Write + Send + 'static) -> OutputWriter {
        OutputWriter(Arc::new(Mutex::new(Some(Box::new(w)))))
    }

    /// The writer, unless a solve took it already.
    fn take(&self) -> Option<Box<dyn std::io::Write + Send>> {
        self.0.lock().ok().and_then(|mut w| w.take())
    }
}

impl std::fmt::Debug for OutputWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutputWriter")
    }
}

/// The result of a successful solve.
#[derive(Debug, Clone, Default)]
pub struct SolveResponse {
    /// The build reference.
    pub reference: String,
    /// What the exporters reported (`containerimage.digest`, ...).
    pub exporter_response: BTreeMap<String, String>,
}

/// Runs a solve. Progress events go to `status` as they arrive; the
/// channel is closed when the build's progress ends.
pub async fn solve(
    client: &Client,
    mut opts: SolveOptions,
    status: Option<mpsc::Sender<SolveStatus>>,
) -> Result<SolveResponse> {
    let reference = if opts.reference.is_empty() {
        session::new_id()
    } else {
        opts.reference.clone()
    };
    let mut sess = Session::new(opts.session_name.clone(), opts.shared_key.clone());
    for svc in std::mem::take(&mut opts.session) {
        sess.attach(svc);
    }
    if let Some(c) = &opts.credentials {
        let auth = session::auth::AuthService::with_store(c.clone(), c.config_dir())
            .with_progress(status.clone());
        sess.attach(Box::new(auth.attachable()));
    }
    let local_status = status.clone();
    if !opts.local_dirs.is_empty() {
        let dirs = opts
            .local_dirs
            .iter()
            .map(|(k, v)| (k.clone(), session::filesync::SyncedDir::new(v.clone())));
        let mut sync = session::filesync::FileSyncService::new(dirs);
        if client.driver().is_local() {
            sync = sync.pacing(crate::fsutil::send::Pacing::local());
        }
        sess.allow(sync.attachable());
    }
    if let Some(up) = opts.uploads.clone() {
        sess.allow(up.attachable());
    }
    let stores = opts
        .oci_stores
        .iter()
        .map(|(id, dir)| (format!("oci:{id}"), dir.clone()))
        .chain(
            opts.local_caches
                .imports
                .iter()
                .map(|(id, dir)| (id.clone(), dir.clone())),
        );
    let mut content = session::content::ContentService::new(stores);
    for (id, (dir, _)) in &opts.local_caches.exports {
        content = content.writable(id.clone(), dir.clone());
    }
    if !content.is_empty() {
        sess.allow(content.attachable());
    }
    let config_seen = load::ConfigSeen::default();
    let load_target = opts
        .exports
        .iter()
        .find(|e| e.output == ExportOutput::Load)
        .and_then(|e| {
            Some(load::LoadTarget {
                api: opts.docker_api.clone()?,
                names: e
                    .attrs
                    .get("name")
                    .map(|n| {
                        n.split(',')
                            .filter(|n| !n.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                progress: status.clone(),
                config: config_seen.clone(),
            })
        });
    let target = export::client_output(
        &opts.exports,
        opts.stdout.take().and_then(|w| w.take()),
        load_target,
    )?
    .map(session::filesend::FileSendService::new);
    let send_target = target.clone();
    if let Some(t) = target {
        sess.allow(t.attachable());
    }
    let req = solve_request(&opts, &reference, sess.id());

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let session_fut = sess.run(client, opts.session_transport, async move {
        let _ = stop_rx.await;
    });
    let mut control = client.control();
    let solve_fut = async {
        let r = control.solve(req).await;
        let _ = stop_tx.send(());
        r
    };
    let status_ref = reference.clone();
    let status_fut = stream_status(client, &status_ref, status, config_seen);

    tokio::pin!(session_fut);
    tokio::pin!(solve_fut);
    tokio::pin!(status_fut);
    // The session must stay up while the solve runs; if it fails first, the
    // build cannot proceed, so fail fast instead of waiting for the daemon.
    let mut session_done = false;
    let mut status_done = false;
    let solved = loop {
        tokio::select! {
            r = &mut solve_fut => break r,
            r = &mut session_fut, if !session_done => {
                session_done = true;
                r?;
            }
            r = &mut status_fut, if !status_done => {
                status_done = true;
                r?;
            }
        }
    };
    // Let the last progress messages arrive (the daemon ends the stream).
    if !status_done {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), &mut status_fut).await;
    }
    if !session_done {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(3), &mut session_fut).await;
    }
    let resp = solved.map_err(|s| match client.rpc_error("Control.Solve", s) {
        Error::Rpc { status, .. } => Error::Solve(status),
        other => other,
    })?;
    if let Some(t) = send_target {
        t.finish().await?;
    }
    let mut exporter_response: BTreeMap<String, String> =
        resp.into_inner().exporter_response.into_iter().collect();
    opts.local_caches.record(&exporter_response)?;
    if let Some(api) = client
        .driver()
        .docker_api()
        .filter(|_| client.features().shares_image_store())
    {
        moby::push_exports(
            api,
            &opts.exports,
            opts.credentials.as_ref(),
            local_status,
            &mut exporter_response,
        )
        .await?;
    }
    Ok(SolveResponse {
        reference,
        exporter_response,
    })
}

async fn stream_status(
    client: &Client,
    reference: &str,
    tx: Option<mpsc::Sender<SolveStatus>>,
    config_seen: load::ConfigSeen,
) -> Result<()> {
    let Some(tx) = tx else { return Ok(()) };
    let mut stream = client
        .control()
        .status(control::StatusRequest {
            r#ref: reference.to_string(),
        })
        .await
        .map_err(|s| client.rpc_error("Control.Status", s))?
        .into_inner();
    loop {
        match stream.message().await {
            Ok(Some(m)) => {
                let m = SolveStatus::from(m);
                config_seen.observe(&m);
                if tx.send(m).await.is_err() {
                    return Ok(());
                }
            }
            Ok(None) => return Ok(()),
            // Progress ends with the build; a broken status stream must not
            // hide the solve's own result.
            Err(_) => return Ok(()),
        }
    }
}

fn solve_request(opts: &SolveOptions, reference: &str, session_id: &str) -> control::SolveRequest {
    let exporters: Vec<control::Exporter> = opts
        .exports
        .iter()
        .map(|e| control::Exporter {
            r#type: e.kind.clone(),
            attrs: e.attrs.clone().into_iter().collect(),
        })
        .collect();
    let entry = |(t, a): &(String, BTreeMap<String, String>)| control::CacheOptionsEntry {
        r#type: t.clone(),
        attrs: a.clone().into_iter().collect(),
    };
    control::SolveRequest {
        r#ref: reference.to_string(),
        exporter_deprecated: exporters
            .first()
            .map(|e| e.r#type.clone())
            .unwrap_or_default(),
        exporter_attrs_deprecated: exporters
            .first()
            .map(|e| e.attrs.clone())
            .unwrap_or_default(),
        exporters,
        session: session_id.to_string(),
        frontend: opts.frontend.clone(),
        frontend_attrs: opts.frontend_attrs.clone().into_iter().collect(),
        cache: Some(control::CacheOptions {
            exports: opts.cache_exports.iter().map(entry).collect(),
            imports: opts.cache_imports.iter().map(entry).collect(),
            ..Default::default()
        }),
        entitlements: opts.entitlements.clone(),
        source_policy: opts.source_policy.clone(),
        ..Default::default()
    }
}
