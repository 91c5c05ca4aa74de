//! `create [ENDPOINT]`: makes or changes a builder in buildx's store, as
//! buildx 0.13's `builder.Create` does, so that `docker buildx` sees it.
//! rkbuild drives the `remote` driver's builders; other drivers are
//! refused here with what to do instead.

use std::collections::BTreeMap;

use crate::docker::builders;
use crate::docker::store::{NodeGroup, NodeUpdate};

use crate::cli::args::{CreateArgs, GlobalOpts};
use crate::cli::builder::{connect_timeout, docker_cli};
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::println;
use crate::cli::plugin::DockerGlobals;

/// Runs `create`.
pub async fn run(args: &CreateArgs, g: &GlobalOpts, docker: &DockerGlobals) -> CliResult {
    let cli = docker_cli(docker)?;
    let store = cli.store()?;
    let txn = store.txn()?;
    let name_flag = args.name.clone().unwrap_or_default();
    let node_flag = args.node.clone().unwrap_or_default();
    if args.leave {
        if name_flag.is_empty() {
            return Err(CliError::new("leave requires instance name"));
        }
        if node_flag.is_empty() {
            return Err(CliError::new("leave requires node name"));
        }
        let Some(mut ng) = txn.by_name(&name_flag)? else {
            return Err(CliError::new(format!(
                "failed to find instance {name_flag:?} for leave"
            )));
        };
        ng.leave(&node_flag)?;
        txn.save(&ng)?;
        return Ok(());
    }
    if name_flag == "default" {
        return Err(CliError::new(
            "default is a reserved name and cannot be used to identify builder instance",
        ));
    }
    if args.append && name_flag.is_empty() {
        return Err(CliError::new("append requires a builder name"));
    }
    let name = if name_flag.is_empty() {
        generate_name(&txn)?
    } else {
        name_flag.clone()
    };
    if !args.append && cli.contexts().contains(&name) {
        return Err(CliError::new(format!(
            "instance name {name:?} already exists as context builder"
        )));
    }
    let existing = txn.by_name(&name)?;
    if existing.is_none() && args.append && !name_flag.is_empty() {
        return Err(CliError::new(format!(
            "failed to find instance {name_flag:?} for append"
        )));
    }
    let buildkit_host = std::env::var("BUILDKIT_HOST").unwrap_or_default();
    let driver = match (&args.driver, &existing) {
        (Some(d), _) if !d.is_empty() => d.clone(),
        (_, Some(ng)) => ng.driver.clone(),
        _ if args.endpoint.is_none() && !buildkit_host.is_empty() => "remote".into(),
        _ => "docker-container".into(),
    };
    if let Some(ng) = &existing {
        if node_flag.is_empty() && !args.append {
            return Err(CliError::new(format!(
                "existing instance for {name:?} but no append mode, specify the node name to make changes for existing instances"
            )));
        }
        if driver != ng.driver {
            return Err(CliError::new(format!(
                "existing instance for {name:?} but has mismatched driver {:?}",
                ng.driver
            )));
        }
    }
    match driver.as_str() {
        "remote" | "docker-container" => {}
        "kubernetes" => {
            return Err(CliError::new(format!(
                "the {driver} driver is not supported by rkbuild yet"
            ))
            .hint(format!(
                "create it with `docker buildx create --driver {driver}` (rkbuild lists it), or use --driver remote with kube-pod://POD"
            )))
        }
        other => return Err(CliError::new(format!("failed to find driver {other:?}"))),
    }
    let driver_opts = csv_to_map(&args.driver_opt)?;
    let flags = buildkitd_flags(
        args.buildkitd_flags.as_deref(),
        &driver,
        driver_opts.as_ref(),
    )?;
    // Where the node is: a BuildKit address for remote; a docker context
    // or host for docker-container (the current one when none is given).
    let (endpoint, set_endpoint) = if driver == "remote" {
        let e = match args.endpoint.as_deref().filter(|e| !e.is_empty()) {
            Some(e) => e.to_string(),
            None if !buildkit_host.is_empty() => buildkit_host.clone(),
            None => return Err(CliError::new("no remote endpoint provided")),
        };
        validate_buildkit_endpoint(&e)?;
        (e, true)
    } else {
        match args.endpoint.as_deref().filter(|e| !e.is_empty()) {
            Some(e) => (validate_docker_endpoint(&cli, e)?, true),
            None => (cli.current_endpoint()?, false),
        }
    };
    let config_file = args
        .buildkitd_config
        .clone()
        .or_else(|| args.config.clone())
        .filter(|c| !c.is_empty())
        .or_else(|| {
            let d = cli.buildx_dir().join("buildkitd.default.toml");
            d.is_file().then(|| d.display().to_string())
        });
    let files = match config_file {
        Some(f) => {
            let data = std::fs::read(&f).map_err(|e| CliError::new(format!("open {f}: {e}")))?;
            let mut m = BTreeMap::new();
            m.insert("buildkitd.toml".to_string(), data);
            Some(m)
        }
        None => None,
    };
    let original = existing.clone();
    let mut ng = existing.unwrap_or_else(|| NodeGroup {
        name: name.clone(),
        driver: driver.clone(),
        nodes: Vec::new(),
        dynamic: false,
        docker_context: false,
        last_activity: None,
    });
    let restart = ng.update(
        &node_flag,
        NodeUpdate {
            endpoint: set_endpoint.then(|| endpoint.clone()),
            default_endpoint: endpoint.clone(),
            platforms: args.platform.clone(),
            append: args.append,
            flags,
            driver_opts,
            files,
        },
    )?;
    if restart {
        eprintln!("WARNING: new settings may not be used until builder is restarted");
    }
    txn.save(&ng)?;
    // The nodes must be usable (buildx rolls back otherwise).
    for n in builders::nodes(&cli, &ng, connect_timeout(g)) {
        if let Err(e) = &n.driver {
            match &original {
                None => txn.remove(&ng.name)?,
                Some(o) => txn.save(o)?,
            }
            return Err(CliError::new(format!(
                "failed to initialize builder {} ({}): {e}",
                ng.name, n.node.name
            )));
        }
    }
    if args.use_ {
        let ep = cli.current_endpoint()?;
        txn.set_current(&ep, &ng.name, false, false)?;
    }
    drop(txn);
    if args.bootstrap {
        let nodes = builders::nodes(&cli, &ng, connect_timeout(g));
        crate::cli::builder::boot_nodes(&ng.name, &nodes).await?;
        let b = builders::load_group(&cli, &ng, connect_timeout(g)).await;
        crate::cli::builder::check_bootstrapped(&b)?;
    }
    println(&ng.name)
}

/// buildx's `csvToMap`: each `--driver-opt` is a CSV record of `k=v`.
fn csv_to_map(values: &[String]) -> CliResult<Option<BTreeMap<String, String>>> {
    if values.is_empty() {
        return Ok(None);
    }
    let mut m = BTreeMap::new();
    for v in values {
        let fields =
            crate::go::csv::read_record_str(v).map_err(|e| CliError::new(e.to_string()))?;
        for f in fields {
            let Some((k, val)) = f.split_once('=') else {
                return Err(CliError::new(format!("invalid value {f:?}, expecting k=v")));
            };
            m.insert(k.to_string(), val.to_string());
        }
    }
    Ok(Some(m))
}

/// buildx's `parseBuildkitdFlags`: the flags split as a shell would;
/// container drivers get `--allow-insecure-entitlement=network.host`
/// unless entitlements are given (always with `network=host`).
fn buildkitd_flags(
    flags: Option<&str>,
    driver: &str,
    opts: Option<&BTreeMap<String, String>>,
) -> CliResult<Option<Vec<String>>> {
    let mut res: Vec<String> = match flags.filter(|f| !f.is_empty()) {
        Some(f) => shlex::split(f)
            .ok_or_else(|| CliError::new("failed to parse buildkit flags: unbalanced quotes"))?,
        None => Vec::new(),
    };
    let mut ents = Vec::new();
    let mut it = res.iter();
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("--allow-insecure-entitlement=") {
            ents.push(v.to_string());
        } else if a == "--allow-insecure-entitlement" {
            if let Some(v) = it.next() {
                ents.push(v.clone());
            }
        }
    }
    let host_net = opts
        .and_then(|o| o.get("network"))
        .is_some_and(|n| n == "host");
    let has_host = ents.iter().any(|e| e == "network.host");
    let container = driver == "kubernetes" || driver == "docker-container";
    if (host_net && !has_host && driver == "docker-container") || (ents.is_empty() && container) {
        res.push("--allow-insecure-entitlement=network.host".into());
    }
    Ok((!res.is_empty() || flags.is_some_and(|f| !f.is_empty())).then_some(res))
}

/// buildx's `validateEndpoint`: a docker context's name (the default
/// context: its host), else a docker host address.
fn validate_docker_endpoint(
    cli: &crate::docker::builders::DockerCli,
    ep: &str,
) -> CliResult<String> {
    if cli.contexts().iter().any(|c| c == ep) {
        if ep == "default" {
            return Ok(cli.docker_host_of("default")?);
        }
        return Ok(ep.to_string());
    }
    match crate::client::Target::docker_host(ep) {
        Ok(_) => Ok(ep.to_string()),
        Err(e) => Err(CliError::new(format!("failed to parse endpoint {ep}: {e}"))),
    }
}

/// buildx's `IsValidEndpoint` for remote builders: a URL with one of the
/// schemes BuildKit's client dials.
fn validate_buildkit_endpoint(ep: &str) -> CliResult {
    let scheme = ep.split_once("://").map(|(s, _)| s).unwrap_or("");
    match scheme {
        "tcp" | "unix" | "ssh" | "docker-container" | "kube-pod" | "npipe" => Ok(()),
        s => Err(CliError::new(format!("unrecognized url scheme {s}"))
            .hint("use unix:///path/to/buildkitd.sock or tcp://host:port")),
    }
}

/// A free name (buildx draws adjective_surname names; rkbuild draws from
/// a short list of its own words and adds a number when needed).
fn generate_name(txn: &crate::docker::store::Txn<'_>) -> CliResult<String> {
    const A: &[&str] = &[
        "brave", "calm", "eager", "fond", "keen", "lucid", "merry", "nimble", "quiet", "swift",
    ];
    const B: &[&str] = &[
        "anvil", "beacon", "cedar", "delta", "ember", "forge", "harbor", "lantern", "meadow",
        "quarry",
    ];
    let mut r = [0u8; 2];
    crate::id::random_bytes(&mut r);
    for i in 0..6 {
        let mut n = format!(
            "{}_{}",
            A[r[0] as usize % A.len()],
            B[(r[1] as usize + i) % B.len()]
        );
        if i > 0 {
            n.push_str(&i.to_string());
        }
        if txn.by_name(&n)?.is_none() {
            return Ok(n);
        }
    }
    Err(CliError::new("failed to generate random name").hint("give one with --name"))
}
