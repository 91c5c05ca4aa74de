//! One build on several nodes (buildx 0.13's multi-node builds): each
//! node builds the platforms sent to it (see
//! [`split_platforms`](crate::docker::builders::split_platforms)) with its
//! own session serving the same files and secrets; a push is made by
//! digest on each node and the results are merged client-side into one
//! manifest list under the tags ("merging manifest list NAMES", as
//! buildx's progress says it).

use std::collections::BTreeMap;

use tokio::sync::mpsc;

use super::imagetools;
use super::{solve, SolveOptions, SolveResponse};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::go::strconv::parse_bool_true;
use crate::progress::event::SolveStatus;
use crate::progress::local::LocalVertex;
use crate::registry::{CredentialSource, Registry};
use crate::session::Attachable;

/// One node's share of a build.
pub struct NodeBuild {
    /// The node's name (for errors).
    pub name: String,
    /// A connection to it.
    pub client: Client,
    /// The platforms it builds.
    pub platforms: Vec<String>,
    /// The session services it serves besides files, caches and auth
    /// (secrets, SSH): each node has its own session.
    pub session: Vec<Box<dyn Attachable + Send>>,
}

impl std::fmt::Debug for NodeBuild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeBuild")
            .field("name", &self.name)
            .field("platforms", &self.platforms)
            .finish()
    }
}

#[derive(Debug)]
/// What a push on several nodes rewrites: the tags to merge under, and
/// whether the registry is insecure.
struct Push {
    names: String,
    insecure: bool,
}

/// buildx's export rules for several nodes: OCI and tar outputs are
/// refused, the docker driver cannot push, and an image push becomes a
/// push by digest to the repositories (tags come with the merged list).
fn rewrite_exports(opts: &mut SolveOptions) -> Result<Option<Push>> {
    let mut push = None;
    for e in &mut opts.exports {
        match e.kind.as_str() {
            "oci" | "tar" => {
                return Err(Error::Config(format!(
                    "{} for multi-node builds currently not supported",
                    e.kind
                )))
            }
            "moby" if e.attrs.get("push").is_some_and(|v| parse_bool_true(v)) => {
                return Err(Error::Config(
                    "multi-node push can't currently be performed with the docker driver, please switch to a different driver".into(),
                ))
            }
            "image" if push.is_none() && e.attrs.get("push").is_some_and(|v| parse_bool_true(v)) => {
                let names = e.attrs.get("name").cloned().unwrap_or_default();
                if names.is_empty() {
                    return Err(Error::Config("tag is needed when pushing to registry".into()));
                }
                let mut repos: Vec<String> = Vec::new();
                for n in names.split(',').filter(|n| !n.is_empty()) {
                    let r = imagetools::parse_name(n)?.name();
                    if !repos.contains(&r) {
                        repos.push(r);
                    }
                }
                let insecure = e.attrs.get("registry.insecure").is_some_and(|v| parse_bool_true(v));
                e.attrs.insert("name".into(), repos.join(","));
                e.attrs.insert("push-by-digest".into(), "true".into());
                push = Some(Push { names, insecure });
            }
            _ => {}
        }
    }
    Ok(push)
}

/// Builds `opts` on every node of `nodes` at once. `opts.session` must be
/// empty (each [`NodeBuild`] brings its own services). The response is the
/// first node's, or, after a push, the merged list's digest (and an empty
/// build reference, as buildx's).
pub async fn solve_on_nodes(
    nodes: Vec<NodeBuild>,
    mut opts: SolveOptions,
    status: Option<mpsc::Sender<SolveStatus>>,
) -> Result<SolveResponse> {
    if opts.uploads.is_some() {
        return Err(Error::Config(
            "a build context from stdin can't be sent to several nodes; build one platform per run, or pass a directory".into(),
        ));
    }
    let push = rewrite_exports(&mut opts)?;
    let creds = opts.credentials.clone();
    let mut futs = Vec::new();
    for (i, n) in nodes.into_iter().enumerate() {
        let mut o = opts.fork();
        if i > 0 {
            o.reference = crate::session::new_id();
        }
        o.frontend_attrs
            .insert("platform".into(), n.platforms.join(","));
        o.frontend_attrs
            .insert("multi-platform".into(), "true".into());
        o.session = n.session;
        let tx = status.clone();
        futs.push(async move {
            let name = n.name;
            solve(&n.client, o, tx).await.map_err(|e| match e {
                Error::Solve(s) => Error::Solve(s),
                e => Error::OnNode {
                    node: name,
                    source: Box::new(e),
                },
            })
        });
    }
    let res = futures_util::future::try_join_all(futs).await?;
    let Some(push) = push else {
        return res
            .into_iter()
            .next()
            .ok_or_else(|| Error::Config("no nodes to build on".into()));
    };
    let v = LocalVertex::start(
        status.clone(),
        &format!("merging manifest list {}", push.names),
    )
    .await;
    let merged = merge(&res, &push, creds).await;
    v.done(merged.as_ref().err().map(|e| e.to_string()).as_deref())
        .await;
    let digest = merged?;
    let mut exporter_response = BTreeMap::new();
    exporter_response.insert("containerimage.digest".to_string(), digest);
    // buildx answers with the list's digest only (no build reference).
    Ok(SolveResponse {
        reference: String::new(),
        exporter_response,
    })
}

async fn merge(
    res: &[SolveResponse],
    push: &Push,
    creds: Option<crate::docker::CredentialStore>,
) -> Result<String> {
    let mut descs = Vec::new();
    for r in res {
        if let Some(d) = r.exporter_response.get("containerimage.descriptor") {
            descs.push(imagetools::descriptor_from_response(d)?);
        } else if let Some(d) = r.exporter_response.get("containerimage.digest") {
            descs.push(imagetools::Descriptor {
                media_type: "application/vnd.docker.distribution.manifest.list.v2+json".into(),
                digest: d.clone(),
                size: -1,
                urls: Vec::new(),
                annotations: BTreeMap::new(),
                data: String::new(),
                platform: None,
                artifact_type: String::new(),
            });
        }
    }
    let creds = creds.map(|c| std::sync::Arc::new(c) as std::sync::Arc<dyn CredentialSource>);
    let names: Vec<&str> = push.names.split(',').filter(|n| !n.is_empty()).collect();
    let first = imagetools::parse_name(names[0])?;
    let mut reg = Registry::for_name(&first, creds.clone(), push.insecure);
    let (body, desc) = imagetools::combine(&mut reg, &first, &descs).await?;
    for n in names {
        let name = imagetools::parse_name(n)?;
        let mut r = Registry::for_name(&name, creds.clone(), push.insecure);
        imagetools::push(&mut r, &name, &desc, &body).await?;
    }
    Ok(desc.digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::export::{Export, ExportOutput};

    fn with(kind: &str, attrs: &[(&str, &str)]) -> SolveOptions {
        SolveOptions {
            exports: vec![Export {
                kind: kind.into(),
                attrs: attrs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                output: ExportOutput::None,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn exports_as_buildx_rewrites_them() {
        let mut o = with(
            "image",
            &[
                ("name", "127.0.0.1:5000/a:1,127.0.0.1:5000/a:2"),
                ("push", "true"),
            ],
        );
        let p = rewrite_exports(&mut o).unwrap().unwrap();
        assert_eq!(p.names, "127.0.0.1:5000/a:1,127.0.0.1:5000/a:2");
        assert_eq!(o.exports[0].attrs["name"], "127.0.0.1:5000/a");
        assert_eq!(o.exports[0].attrs["push-by-digest"], "true");
        let e = rewrite_exports(&mut with("oci", &[])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "oci for multi-node builds currently not supported"
        );
        let e = rewrite_exports(&mut with("image", &[("push", "true")])).unwrap_err();
        assert_eq!(e.to_string(), "tag is needed when pushing to registry");
        assert!(rewrite_exports(&mut with("local", &[])).unwrap().is_none());
    }
}
