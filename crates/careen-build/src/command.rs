//! Engine command lines, as pure functions of the request and host settings.

use crate::{
    BuildRequest, EngineKind, HostSettings, Output, CA_BUILD_ARGS, CA_MOUNT_PATH, CA_SECRET_ID,
};

fn push2(argv: &mut Vec<String>, flag: &str, value: &str) {
    argv.push(flag.to_owned());
    argv.push(value.to_owned());
}

/// Options that go before the subcommand (`buildah --storage-driver vfs build`).
fn global_options(kind: EngineKind, host: &HostSettings) -> Vec<String> {
    let mut argv = vec![kind.program().to_owned()];
    if kind != EngineKind::Docker {
        if let Some(driver) = &host.storage_driver {
            push2(&mut argv, "--storage-driver", driver);
        }
    }
    argv
}

/// The build command line (program first).
///
/// docker builds with buildx and writes `request.output` itself
/// (`--output type=oci|docker,dest=PATH`), or loads the image into the daemon
/// when there is no output. buildah and podman build in Docker format (so
/// HEALTHCHECK is kept) with layer caching on, and write the image ID to
/// `request.iidfile`; the image is then written with [`push_command`].
pub fn build_command(kind: EngineKind, request: &BuildRequest, host: &HostSettings) -> Vec<String> {
    let mut argv = global_options(kind, host);
    match kind {
        EngineKind::Docker => {
            argv.push("buildx".to_owned());
            argv.push("build".to_owned());
        }
        EngineKind::Podman | EngineKind::Buildah => {
            argv.push("build".to_owned());
            push2(&mut argv, "--format", "docker");
            // buildah caches nothing unless asked; podman caches by default.
            argv.push("--layers".to_owned());
            if host.isolation_chroot {
                push2(&mut argv, "--isolation", "chroot");
            }
        }
    }
    if request.no_cache {
        argv.push("--no-cache".to_owned());
    }
    if let Some(file) = &request.file {
        push2(&mut argv, "--file", file);
    }
    if let Some(target) = &request.target {
        push2(&mut argv, "--target", target);
    }
    if let Some(platform) = &request.platform {
        push2(&mut argv, "--platform", platform);
    }
    for tag in &request.tags {
        push2(&mut argv, "--tag", tag);
    }
    for arg in &request.build_args {
        push2(&mut argv, "--build-arg", arg);
    }
    if let Some(ca) = &request.ca_bundle {
        match kind {
            EngineKind::Docker => {
                push2(
                    &mut argv,
                    "--secret",
                    &format!("id={CA_SECRET_ID},src={ca}"),
                );
            }
            EngineKind::Podman | EngineKind::Buildah => {
                push2(&mut argv, "--volume", &format!("{ca}:{CA_MOUNT_PATH}:ro"));
            }
        }
        for name in CA_BUILD_ARGS {
            push2(&mut argv, "--build-arg", &format!("{name}={CA_MOUNT_PATH}"));
        }
    }
    for (key, value) in &request.labels {
        push2(&mut argv, "--label", &format!("{key}={value}"));
    }
    match kind {
        EngineKind::Docker => match &request.output {
            Some(Output::OciArchive(path)) => {
                push2(&mut argv, "--output", &format!("type=oci,dest={path}"));
            }
            Some(Output::DockerArchive(path)) => {
                push2(&mut argv, "--output", &format!("type=docker,dest={path}"));
            }
            None => argv.push("--load".to_owned()),
        },
        EngineKind::Podman | EngineKind::Buildah => {
            if let Some(iidfile) = &request.iidfile {
                push2(&mut argv, "--iidfile", iidfile);
            }
            argv.extend(host.extra_args.iter().cloned());
        }
    }
    argv.push(request.context.clone());
    argv
}

/// The command that writes built image `image` (an ID or name) to `output`
/// (buildah and podman; docker writes its output while building). A
/// docker-archive records `tag` as its name when there is one.
pub fn push_command(
    kind: EngineKind,
    host: &HostSettings,
    image: &str,
    output: &Output,
    tag: Option<&str>,
) -> Vec<String> {
    let mut argv = global_options(kind, host);
    argv.push("push".to_owned());
    argv.push(image.to_owned());
    argv.push(match (output, tag) {
        (Output::DockerArchive(path), Some(tag)) => format!("docker-archive:{path}:{tag}"),
        _ => output.to_string(),
    });
    argv
}

/// The command that removes built image `image` (buildah and podman), used
/// when an untagged image was only built to be written out.
pub fn remove_command(kind: EngineKind, host: &HostSettings, image: &str) -> Vec<String> {
    let mut argv = global_options(kind, host);
    argv.push("rmi".to_owned());
    argv.push(image.to_owned());
    argv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> BuildRequest {
        BuildRequest {
            context: "ctx".into(),
            ..Default::default()
        }
    }

    fn vfs_root() -> HostSettings {
        HostSettings {
            storage_driver: Some("vfs".into()),
            isolation_chroot: true,
            extra_args: vec![],
        }
    }

    fn line(argv: &[String]) -> String {
        argv.join(" ")
    }

    #[test]
    fn minimal_commands_per_engine() {
        let host = vfs_root();
        assert_eq!(
            line(&build_command(EngineKind::Buildah, &request(), &host)),
            "buildah --storage-driver vfs build --format docker --layers --isolation chroot ctx"
        );
        assert_eq!(
            line(&build_command(
                EngineKind::Podman,
                &request(),
                &HostSettings::default()
            )),
            "podman build --format docker --layers ctx"
        );
        // docker ignores the containers-storage settings.
        assert_eq!(
            line(&build_command(EngineKind::Docker, &request(), &host)),
            "docker buildx build --load ctx"
        );
    }

    #[test]
    fn every_option_on_buildah() {
        let request = BuildRequest {
            context: "/src/app".into(),
            file: Some("/src/app/Dockerfile.prod".into()),
            tags: vec!["app:1".into(), "app:latest".into()],
            target: Some("runtime".into()),
            build_args: vec!["A=1".into(), "B=two words".into()],
            platform: Some("linux/arm64".into()),
            labels: vec![("org.opencontainers.image.revision".into(), "abc".into())],
            ca_bundle: Some("/etc/ssl/ca.pem".into()),
            no_cache: true,
            output: Some(Output::OciArchive("/out/app.tar".into())),
            iidfile: Some("/tmp/iid".into()),
        };
        let host = HostSettings {
            extra_args: vec!["--ulimit".into(), "nofile=1024".into()],
            ..vfs_root()
        };
        let argv = build_command(EngineKind::Buildah, &request, &host);
        assert_eq!(
            line(&argv),
            "buildah --storage-driver vfs build --format docker --layers --isolation chroot --no-cache \
             --file /src/app/Dockerfile.prod --target runtime --platform linux/arm64 \
             --tag app:1 --tag app:latest --build-arg A=1 --build-arg B=two words \
             --volume /etc/ssl/ca.pem:/run/careen/ca.crt:ro \
             --build-arg PIP_CERT=/run/careen/ca.crt --build-arg REQUESTS_CA_BUNDLE=/run/careen/ca.crt \
             --build-arg SSL_CERT_FILE=/run/careen/ca.crt --build-arg NODE_EXTRA_CA_CERTS=/run/careen/ca.crt \
             --build-arg npm_config_cafile=/run/careen/ca.crt --build-arg YARN_HTTPS_CA_FILE_PATH=/run/careen/ca.crt \
             --label org.opencontainers.image.revision=abc --iidfile /tmp/iid --ulimit nofile=1024 /src/app"
        );
        // One argv element per value, spaces kept.
        assert!(argv.contains(&"B=two words".to_owned()));
    }

    #[test]
    fn docker_outputs_and_ca_secret() {
        let mut request = request();
        request.output = Some(Output::OciArchive("o.tar".into()));
        request.ca_bundle = Some("ca.pem".into());
        request.iidfile = Some("iid".into());
        let argv = line(&build_command(
            EngineKind::Docker,
            &request,
            &HostSettings::default(),
        ));
        assert!(argv.contains("--secret id=careen-ca,src=ca.pem"), "{argv}");
        assert!(
            argv.contains("--build-arg PIP_CERT=/run/careen/ca.crt"),
            "{argv}"
        );
        assert!(argv.ends_with("--output type=oci,dest=o.tar ctx"), "{argv}");
        assert!(!argv.contains("--volume") && !argv.contains("iid") && !argv.contains("--load"));
        request.output = Some(Output::DockerArchive("d.tar".into()));
        let argv = line(&build_command(
            EngineKind::Docker,
            &request,
            &HostSettings::default(),
        ));
        assert!(
            argv.ends_with("--output type=docker,dest=d.tar ctx"),
            "{argv}"
        );
    }

    #[test]
    fn push_commands() {
        let host = vfs_root();
        let oci = Output::OciArchive("/o/a.tar".into());
        let docker = Output::DockerArchive("/o/d.tar".into());
        assert_eq!(
            line(&push_command(
                EngineKind::Buildah,
                &host,
                "abc123",
                &oci,
                Some("app:1")
            )),
            "buildah --storage-driver vfs push abc123 oci-archive:/o/a.tar"
        );
        assert_eq!(
            line(&push_command(
                EngineKind::Podman,
                &HostSettings::default(),
                "abc123",
                &docker,
                Some("app:1")
            )),
            "podman push abc123 docker-archive:/o/d.tar:app:1"
        );
        assert_eq!(
            line(&push_command(
                EngineKind::Buildah,
                &host,
                "abc123",
                &docker,
                None
            )),
            "buildah --storage-driver vfs push abc123 docker-archive:/o/d.tar"
        );
        assert_eq!(
            line(&remove_command(EngineKind::Buildah, &host, "abc123")),
            "buildah --storage-driver vfs rmi abc123"
        );
    }

    #[test]
    fn output_parsing() {
        assert_eq!(
            "oci-archive:a/b.tar".parse::<Output>().ok(),
            Some(Output::OciArchive("a/b.tar".into()))
        );
        assert_eq!(
            "docker-archive:/x:y.tar".parse::<Output>().ok(),
            Some(Output::DockerArchive("/x:y.tar".into()))
        );
        for bad in ["oci:dir", "app.tar", "oci-archive:", "docker://x/y"] {
            assert!(bad.parse::<Output>().is_err(), "{bad}");
        }
    }
}
