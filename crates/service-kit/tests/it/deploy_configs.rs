//! The shipped deployment files (deploy/config/*.toml and the ConfigMaps in
//! deploy/kubernetes/*.yaml) keep up with the code: each `[server]` section loads into
//! [`ServerConfig`] and passes its checks, iam-svc and lakeformation-svc serve
//! `/internal/v1/*` on a listener of their own, and every `[iam]` or `[lakeformation]`
//! client address points at that listener, because those clients call internal paths only.
//! A stop fits in what the service manager allows (systemd's `TimeoutStopSec`, the pods'
//! `terminationGracePeriodSeconds`), and the pods' readiness probe sees a stop within
//! the drain.
//! service-kit cannot link the services, so their own loaders are not used here; the
//! files are read with the same `config` TOML reader they use.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use config::{Config, File, FileFormat};
use serde::Deserialize;
use service_kit::config::ServerConfig;

/// The services with an internal API, named as their client sections are.
const INTERNAL_SERVICES: [&str; 2] = ["iam", "lakeformation"];

/// What this test reads of a service's file; every other section is the service's own.
#[derive(Debug, Deserialize)]
struct DeployFile {
    server: ServerConfig,
    iam: Option<Link>,
    lakeformation: Option<Link>,
}

#[derive(Debug, Deserialize)]
struct Link {
    url: String,
}

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

fn parse(origin: &str, text: &str) -> DeployFile {
    Config::builder()
        .add_source(File::from_str(text, FileFormat::Toml))
        .build()
        .and_then(Config::try_deserialize)
        .unwrap_or_else(|e| panic!("{origin}: {e}"))
}

/// The explicit port of an `http(s)://host:port[/...]` address.
fn port_of(origin: &str, url: &str) -> u16 {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or_else(|| panic!("{origin}: {url:?} is not an http(s) address"));
    let authority = rest.split('/').next().unwrap_or_default();
    let (_, port) = authority
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("{origin}: {url:?} names no port"));
    port.parse()
        .unwrap_or_else(|e| panic!("{origin}: {url:?} has a bad port: {e}"))
}

/// Check one set of files (service name -> parsed file): every server section is valid,
/// the internal services have an internal port, and every client uses it.
fn check(set: &str, files: &BTreeMap<String, DeployFile>) {
    for (service, file) in files {
        file.server
            .validate()
            .unwrap_or_else(|e| panic!("{set}/{service}: [server]: {e}"));
    }
    for target in INTERNAL_SERVICES {
        let internal = files
            .get(target)
            .unwrap_or_else(|| panic!("{set}: no file for {target}"))
            .server
            .internal_port
            .unwrap_or_else(|| panic!("{set}/{target}: [server] sets no internal_port"));
        for (service, file) in files {
            let link = match target {
                "iam" => &file.iam,
                _ => &file.lakeformation,
            };
            let Some(link) = link else { continue };
            let origin = format!("{set}/{service}: [{target}] url");
            assert_eq!(
                port_of(&origin, &link.url),
                internal,
                "{origin} must use {target}'s internal port"
            );
        }
    }
}

#[test]
fn deploy_config_files_use_the_internal_listeners() {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(deploy_dir().join("config")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let service = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            files.insert(service, parse(&path.display().to_string(), &text));
        }
    }
    assert_eq!(
        files.keys().map(String::as_str).collect::<Vec<_>>(),
        ["iam", "lakeformation", "swr", "tcr"]
    );
    assert_eq!(files["iam"].server.internal_port, Some(9081));
    assert_eq!(files["lakeformation"].server.internal_port, Some(9083));
    check("deploy/config", &files);
    for (service, file) in &files {
        let path = deploy_dir().join(format!("systemd/{service}-svc.service"));
        let unit = std::fs::read_to_string(&path).unwrap();
        let origin = format!("{}: TimeoutStopSec", path.display());
        let seconds = value_after(&origin, &unit, "TimeoutStopSec=");
        let seconds = seconds.strip_suffix('s').unwrap_or(seconds);
        check_stop_budget(&origin, &file.server, seconds);
    }
}

/// The trimmed rest of the first line that starts (after indentation) with `key`.
fn value_after<'a>(origin: &str, text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(key))
        .map(str::trim)
        .unwrap_or_else(|| panic!("{origin}: no {key}"))
}

/// A stop drains, then lets requests finish: the service manager must wait for both
/// before it kills the process, or requests in flight are cut.
fn check_stop_budget(origin: &str, server: &ServerConfig, allowed_seconds: &str) {
    let allowed: u64 = allowed_seconds
        .parse()
        .unwrap_or_else(|e| panic!("{origin}: {allowed_seconds:?}: {e}"));
    let needed_ms = server.drain_ms + server.shutdown_timeout_seconds * 1000;
    assert!(
        allowed * 1000 > needed_ms,
        "{origin}: {allowed} s does not exceed drain_ms + shutdown_timeout_seconds ({needed_ms} ms)"
    );
}

/// The load balancer in front of a pod is Kubernetes itself, polling `/readyz`: it must
/// see the pod unready before the drain ends and the listener closes.
fn check_readiness_probe(origin: &str, yaml: &str, server: &ServerConfig) {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut lines = yaml.lines().skip_while(|l| l.trim() != "readinessProbe:");
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("{origin}: no readinessProbe"));
    let probe = lines
        .take_while(|l| indent(l) > indent(header))
        .collect::<Vec<_>>()
        .join("\n");
    let number = |key: &str| -> u64 {
        value_after(origin, &probe, key)
            .parse()
            .unwrap_or_else(|e| panic!("{origin}: readinessProbe {key} {e}"))
    };
    let unready_ms = number("periodSeconds:") * number("failureThreshold:") * 1000;
    assert!(
        unready_ms <= server.drain_ms,
        "{origin}: the readiness probe needs {unready_ms} ms to see a stop, the drain is {} ms",
        server.drain_ms
    );
}

/// The `<key>: |` block of a ConfigMap, without its indentation.
fn config_map_entry(origin: &str, yaml: &str, key: &str) -> String {
    let header = format!("{key}: |");
    let mut lines = yaml.lines().skip_while(|l| l.trim() != header);
    let indent = |l: &str| l.len() - l.trim_start().len();
    let header_indent = indent(
        lines
            .next()
            .unwrap_or_else(|| panic!("{origin}: no ConfigMap entry {key}")),
    );
    let body: Vec<&str> = lines
        .take_while(|l| l.trim().is_empty() || indent(l) > header_indent)
        .collect();
    let block_indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent(l))
        .min()
        .unwrap_or_default();
    body.iter()
        .map(|l| l.get(block_indent..).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The values of `field` (`containerPort:` or `port:`) given right after a `- name: <name>`.
fn named_ports(yaml: &str, name: &str, field: &str) -> Vec<u16> {
    let lines: Vec<&str> = yaml.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|pair| pair[0] == format!("- name: {name}"))
        .filter_map(|pair| pair[1].strip_prefix(field))
        .map(|value| value.trim().parse().unwrap())
        .collect()
}

#[test]
fn kubernetes_manifests_use_the_internal_listeners() {
    let mut files = BTreeMap::new();
    for service in ["iam", "lakeformation", "swr", "tcr"] {
        let path = deploy_dir().join(format!("kubernetes/{service}-svc.yaml"));
        let origin = path.display().to_string();
        let yaml = std::fs::read_to_string(&path).unwrap();
        let file = parse(
            &origin,
            &config_map_entry(&origin, &yaml, &format!("{service}.toml")),
        );
        if let Some(internal) = file.server.internal_port {
            // The pod exposes the port under the name the Service routes to, and the
            // Service offers it on the same number the clients' addresses use.
            assert_eq!(
                named_ports(&yaml, "internal", "containerPort:"),
                [internal],
                "{origin}: containerPort named internal"
            );
            assert_eq!(
                named_ports(&yaml, "internal", "port:"),
                [internal],
                "{origin}: Service port named internal"
            );
        }
        let grace = value_after(&origin, &yaml, "terminationGracePeriodSeconds:");
        check_stop_budget(&origin, &file.server, grace);
        check_readiness_probe(&origin, &yaml, &file.server);
        files.insert(service.to_string(), file);
    }
    check("deploy/kubernetes", &files);
}
