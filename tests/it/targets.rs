//! Several named targets built at once on one builder through the
//! library (what bake drives): one progress stream whose step names carry
//! the targets' names, and a result for each target.

use rkbuild::builder::Builder;
use rkbuild::solve::export::parse_output;
use rkbuild::{BuildOptions, ConnectOptions, Error};

use crate::common::*;

#[test]
fn targets_build_at_once_on_one_builder_each_with_its_result() {
    let env = daemon!();
    let addr = if env.buildkit_host.is_empty() {
        format!("docker+{}", env.docker_host)
    } else {
        env.buildkit_host.clone()
    };
    let app = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "app\n")]);
    let broken = context(&[("Dockerfile", "FROM scratch\nCOPY missing /x\n")]);
    let out = tempfile::tempdir().unwrap();
    let dest = format!("type=local,dest={}", out.path().display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (names, results) = rt.block_on(async {
        let builder = Builder::for_address(&addr, ConnectOptions::default(), None).unwrap();
        let targets = [
            (
                "app",
                BuildOptions {
                    outputs: vec![parse_output(&dest).unwrap()],
                    ..BuildOptions::dir(app.path())
                },
            ),
            (
                "broken",
                BuildOptions {
                    outputs: vec![parse_output("type=cacheonly").unwrap()],
                    ..BuildOptions::dir(broken.path())
                },
            ),
        ];
        let mut build = builder.prepare(targets).await.unwrap().start();
        let mut names = Vec::new();
        while let Some(s) = build.next().await {
            names.extend(s.vertexes.into_iter().map(|v| v.name));
        }
        (names, build.await.unwrap())
    });
    let targets: Vec<&str> = results.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(targets, ["app", "broken"]);
    assert!(results.iter().all(|r| r.node == addr), "{results:?}");
    assert!(results[0].result.is_ok(), "{:?}", results[0].result);
    assert!(
        matches!(&results[1].result, Err(Error::Solve(s)) if s.message().contains("missing")),
        "{:?}",
        results[1].result
    );
    assert_eq!(
        std::fs::read_to_string(out.path().join("a")).unwrap(),
        "app\n"
    );
    for want in [
        "[app internal] load build definition from Dockerfile",
        "[broken internal] load build definition from Dockerfile",
        "[app 1/1] COPY a /a",
    ] {
        assert!(names.iter().any(|n| n == want), "{want}: {names:?}");
    }
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("[app") || n.starts_with("[broken")),
        "{names:?}"
    );
}
